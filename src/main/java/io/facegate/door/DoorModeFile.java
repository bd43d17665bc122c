package io.facegate.door;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The door's modes in a small text file:
 * <pre>
 * # facegate door modes (written by the daemon)
 * lockdown=on
 * hold_open=off
 * </pre>
 * Written to a temporary file in the same folder, forced to disk, renamed over the old one and the folder forced,
 * so that a crash or a power cut leaves either the old file or the new one, never a mix. Read strictly: anything
 * but exactly these two keys with {@code on}/{@code off} is refused, so that a damaged file is noticed rather than
 * read as "off".
 */
final class DoorModeFile implements DoorModeStore {
    private static final int MAX_BYTES = 4096;
    private final Path file;

    DoorModeFile(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public Modes load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Modes.NONE; // never written: a new door
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the door modes file " + file + ": " + e, e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalStateException("door modes file " + file + " is " + bytes.length + " bytes: damaged");
        }
        Map<String, Boolean> values = new HashMap<>();
        int n = 0;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            String key = eq < 0 ? l : l.substring(0, eq).strip();
            String value = eq < 0 ? "" : l.substring(eq + 1).strip();
            if (!key.equals("lockdown") && !key.equals("hold_open")) {
                throw damaged(n, "unknown entry '" + key + "'");
            }
            if (!value.equals("on") && !value.equals("off")) {
                throw damaged(n, key + " must be on or off");
            }
            if (values.put(key, value.equals("on")) != null) {
                throw damaged(n, key + " given twice");
            }
        }
        if (values.size() != 2) {
            throw new IllegalStateException("door modes file " + file + " is damaged: lockdown and hold_open must"
                    + " both be there");
        }
        if (values.get("lockdown") && values.get("hold_open")) {
            throw new IllegalStateException("door modes file " + file + " is damaged: hold_open on during lockdown");
        }
        return new Modes(values.get("lockdown"), values.get("hold_open"));
    }

    private IllegalStateException damaged(int line, String why) {
        return new IllegalStateException("door modes file " + file + " is damaged, line " + line + ": " + why);
    }

    @Override
    public void save(Modes modes) {
        String text = "# facegate door modes (written by the daemon)\n"
                + "lockdown=" + (modes.lockdown() ? "on" : "off") + "\n"
                + "hold_open=" + (modes.holdOpen() ? "on" : "off") + "\n";
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve(abs.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new UncheckedIOException("cannot save the door modes to " + file + ": " + e, e);
        }
        // the rename itself is durable only once the folder is on disk
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("door modes saved to " + file + " but its folder could not be synced: "
                    + e, e);
        }
    }

    @Override
    public String describe() {
        return file.toString();
    }
}

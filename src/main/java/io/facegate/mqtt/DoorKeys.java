package io.facegate.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/**
 * The doors' public keys, as the admin tool knows them: folders holding {@code <device id>.pub} files, or single
 * {@code <device id>.pub} files (the name is what binds a key to a door; a door creates its pair under that name).
 * Looked up per reply, so a door added to a folder while a tool runs is found.
 */
public final class DoorKeys {
    private final List<Path> entries;

    private DoorKeys(List<Path> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Folders of {@code <device>.pub} files and {@code <device>.pub} files; nothing listed trusts no door. */
    public static DoorKeys of(List<Path> entries) {
        for (Path p : entries) {
            if (!Files.isDirectory(p) && !p.getFileName().toString().endsWith(".pub")) {
                throw new IllegalArgumentException("door key " + p + " is neither a folder nor a <device>.pub file");
            }
        }
        return new DoorKeys(entries);
    }

    public List<Path> entries() {
        return entries;
    }

    /**
     * The key of {@code device}.
     *
     * @throws IllegalArgumentException naming the cause: no key for that door, or an unreadable key file
     */
    public PublicKey forDevice(String device) {
        if (device == null || !device.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("the reply names no valid device");
        }
        String name = device + ".pub";
        for (Path p : entries) {
            Path f = Files.isDirectory(p) ? p.resolve(name) : p;
            if (f.getFileName().toString().equals(name) && Files.isRegularFile(f)) {
                try {
                    return AdminKeys.readPublic(f);
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("door key " + f + " cannot be read: " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException("no public key for door " + device + " in " + entries
                + " (copy the door's " + name + " there)");
    }
}

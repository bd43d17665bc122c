package io.facegate.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks every path of a configuration before the daemon starts ({@code run --check} and start-up): each problem
 * names the key and the true cause, which {@code Files.exists} alone cannot tell apart: a missing file, a folder
 * that is a file, a folder this user may not read, a place where a file cannot be created.
 */
public final class ConfigPaths {
    private ConfigPaths() {
    }

    /** Every path problem of {@code c}, one line each naming its key; empty when all is in place. */
    public static List<String> problems(FacegateConfig c) {
        List<String> out = new ArrayList<>();
        Path models = c.vision().modelsDir();
        String modelsProblem = readableFolder(models);
        add(out, "vision.models_dir", modelsProblem != null ? modelsProblem
                : readableFile(models.resolve("models.lock"), "(run models/fetch to install the model pack)"));
        add(out, "gallery.data_dir", writableFolder(c.gallery().dataDir()));
        switch (c.camera().type()) {
            case FOLDER -> add(out, "camera.path", readableFolder(Path.of(c.camera().path())));
            case FILE -> add(out, "camera.path", readableFile(Path.of(c.camera().path()), null));
            default -> {
                // a device or stream that is absent now may come later: the daemon waits for it, door locked
            }
        }
        MqttConfig m = c.mqtt();
        if (m.enabled()) {
            add(out, "mqtt.state_path", writableFile(Path.of(m.statePath())));
            if (m.caFile() != null) {
                add(out, "mqtt.ca_file", readableFile(Path.of(m.caFile()), null));
            }
            if (m.clientCertFile() != null) {
                add(out, "mqtt.client_cert_file", readableFile(Path.of(m.clientCertFile()), null));
            }
            if (m.clientKeyFile() != null) {
                add(out, "mqtt.client_key_file", readableFile(Path.of(m.clientKeyFile()), null));
            }
            if (m.fleetSync()) {
                add(out, "mqtt.fleet_key_file", readableFile(Path.of(m.fleetKeyFile()),
                        "(fleet_sync is on: the door needs the fleet key; 'facegate admin fleet-key add-door' makes"
                                + " its copy)"));
            }
            for (int i = 0; i < m.adminPublicKeys().size(); i++) {
                String key = m.adminPublicKeys().get(i);
                if (looksLikePath(key)) {
                    add(out, "mqtt.admin_public_keys[" + i + "]", readableFile(Path.of(key.trim()), null));
                }
            }
        }
        return out;
    }

    /**
     * Whether an admin key entry is meant as a file: base64 (the other form) never holds a dot, and PEM text
     * holds a header.
     */
    public static boolean looksLikePath(String entry) {
        return !entry.contains("-----BEGIN") && entry.contains(".");
    }

    private static void add(List<String> out, String key, String problem) {
        if (problem != null) {
            out.add(key + ": " + problem);
        }
    }

    /** Why {@code dir} cannot be listed and read; null if it can. */
    public static String readableFolder(Path dir) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (IOException e) {
            return absent(dir, "folder ", e);
        }
        if (!a.isDirectory()) {
            return dir.toAbsolutePath() + " is not a folder";
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            return "folder " + dir.toAbsolutePath() + " is not readable by user " + System.getProperty("user.name")
                    + " (permissions)";
        }
        return null;
    }

    /** Why {@code file} cannot be read; null if it can. {@code hint} is added to "does not exist". */
    public static String readableFile(Path file, String hint) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            String why = absent(file, "", e);
            return hint == null || !why.endsWith("does not exist") ? why : why + " " + hint;
        } catch (IOException e) {
            return absent(file, "", e);
        }
        if (a.isDirectory()) {
            return file.toAbsolutePath() + " is a folder, not a file";
        }
        if (!Files.isReadable(file)) {
            return file.toAbsolutePath() + " is not readable by user " + System.getProperty("user.name")
                    + " (permissions)";
        }
        return null;
    }

    /** Why {@code dir} cannot be written to or created; null if it can. */
    public static String writableFolder(Path dir) {
        if (Files.isDirectory(dir)) {
            return Files.isWritable(dir) && Files.isExecutable(dir) ? null
                    : "folder " + dir.toAbsolutePath() + " is not writable by user "
                    + System.getProperty("user.name") + " (permissions)";
        }
        if (Files.exists(dir)) {
            return dir.toAbsolutePath() + " is not a folder";
        }
        Path parent = dir.toAbsolutePath().getParent();
        return parent == null ? "cannot create folder " + dir : creatable(parent, dir);
    }

    /** Why {@code file} cannot be written (or created, with its folder); null if it can. */
    public static String writableFile(Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return abs + " is a folder, not a file";
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            return abs + " is not writable by user " + System.getProperty("user.name") + " (permissions)";
        }
        // SQLite also writes its journal next to the file: the folder must be writable (or creatable)
        return abs.getParent() == null ? null : writableFolder(abs.getParent());
    }

    /** The nearest existing ancestor of {@code target} decides whether it can be created. */
    private static String creatable(Path folder, Path target) {
        Path p = folder;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return "cannot create " + target;
        }
        if (!Files.isDirectory(p)) {
            return p + " is not a folder (needed to create " + target + ")";
        }
        if (!Files.isWritable(p) || !Files.isExecutable(p)) {
            return "cannot create " + target + ": folder " + p + " is not writable by user "
                    + System.getProperty("user.name") + " (permissions)";
        }
        return null;
    }

    /** What an attribute read that failed means: missing, blocked by a folder's permissions, or another error. */
    private static String absent(Path p, String kind, IOException e) {
        Path abs = p.toAbsolutePath();
        if (e instanceof AccessDeniedException) {
            return "cannot look into the folder holding " + abs + " (permission denied for user "
                    + System.getProperty("user.name") + ")";
        }
        for (Path up = abs.getParent(); up != null; up = up.getParent()) {
            if (Files.exists(up)) {
                if (!Files.isDirectory(up)) {
                    return up + " is not a folder (on the way to " + abs + ")";
                }
                break;
            }
        }
        return e instanceof NoSuchFileException ? kind + abs + " does not exist" : "cannot read " + abs + ": " + e;
    }
}

package io.facegate.vision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model pack as pinned by {@code models.lock}: which file plays which role, its SHA-256 and the tensor
 * shapes facegate's pre- and post-processing rely on.
 */
public final class ModelPack {
    public static final String LOCK_FILE = "models.lock";

    /** One tensor of a model's contract: name and fixed shape. */
    public record TensorSpec(String name, long[] shape) {
        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    /** One locked model. */
    public record Entry(String role, String file, String sha256, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    }

    private final Path dir;
    private final Map<String, Entry> byRole;

    private ModelPack(Path dir, Map<String, Entry> byRole) {
        this.dir = dir;
        this.byRole = byRole;
    }

    /** Reads {@code dir/models.lock}; does not touch the model files yet. */
    public static ModelPack load(Path dir) {
        Path lock = dir.resolve(LOCK_FILE);
        // the true cause: a folder that is missing, is a file or may not be read is not a missing lock
        String folderProblem = io.facegate.config.ConfigPaths.readableFolder(dir);
        if (folderProblem != null) {
            throw new ModelException("models folder (vision.models_dir): " + folderProblem);
        }
        if (!Files.isRegularFile(lock)) {
            throw new ModelException("model lock " + lock.toAbsolutePath() + " not found: is vision.models_dir "
                    + "right? (run models/fetch to install the default pack)");
        }
        String lockProblem = io.facegate.config.ConfigPaths.readableFile(lock, null);
        if (lockProblem != null) {
            throw new ModelException("model lock: " + lockProblem);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(lock)) {
                lineNo++;
                String[] f = line.trim().split("\\s+");
                if (f.length == 0 || !f[0].equals("model")) {
                    continue;
                }
                if (f.length != 6) {
                    throw new ModelException(lock + ":" + lineNo + ": expected 'model role file sha256 inputs outputs'");
                }
                entries.put(f[1], new Entry(f[1], f[2], f[3].toLowerCase(), specs(f[4]), specs(f[5])));
            }
        } catch (IOException e) {
            throw new ModelException("cannot read " + lock + ": " + e.getMessage(), e);
        }
        return new ModelPack(dir, entries);
    }

    private static List<TensorSpec> specs(String field) {
        return Arrays.stream(field.split(",")).map(s -> {
            String[] nameShape = s.split(":");
            long[] shape = Arrays.stream(nameShape[1].split("x")).mapToLong(Long::parseLong).toArray();
            return new TensorSpec(nameShape[0], shape);
        }).toList();
    }

    public Entry entry(String role) {
        Entry e = byRole.get(role);
        if (e == null) {
            throw new ModelException(dir.resolve(LOCK_FILE) + " names no '" + role + "' model");
        }
        return e;
    }

    public Path path(Entry e) {
        return dir.resolve(e.file());
    }

    /** Checks that the file exists and, when asked, that its SHA-256 is the locked one. */
    public void verify(Entry e, boolean checkHash) {
        Path p = path(e);
        if (!Files.isRegularFile(p)) {
            throw new ModelException(e.role() + " model " + p.toAbsolutePath() + " is missing (run models/fetch)");
        }
        if (checkHash) {
            String actual = sha256(p);
            if (!actual.equals(e.sha256())) {
                throw new ModelException(e.role() + " model " + p.toAbsolutePath() + " is corrupt or not the locked "
                        + "file: SHA-256 " + actual + ", expected " + e.sha256() + " (run models/fetch)");
            }
        }
    }

    public static String sha256(Path p) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // digest accumulates as we read
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new ModelException("cannot read " + p + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir() {
        return dir;
    }
}

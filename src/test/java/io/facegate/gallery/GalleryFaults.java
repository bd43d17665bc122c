package io.facegate.gallery;

import org.junit.jupiter.api.Assumptions;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Set;

/** Faults for gallery tests on the real SQLite store: rows an older version stored, read-only files. */
public final class GalleryFaults {
    /** The model SHA-256 the planted rows carry. */
    public static final String SHA = "c".repeat(64);

    private GalleryFaults() {
    }

    /**
     * Writes an invalid template row the way an older facegate did (through its own transaction, hash and version
     * updated), so the file is otherwise consistent.
     */
    public static long plantInvalidRow(Path file, String personId, float[] embedding) throws Exception {
        return plantInvalidRow(file, personId, embedding, SHA);
    }

    /** As above, for the feature model with this SHA-256 (a daemon's loaded model). */
    public static long plantInvalidRow(Path file, String personId, float[] embedding, String modelSha)
            throws Exception {
        Template t = new Template(personId, embedding, "m", modelSha, 1.0, "d".repeat(64), Instant.parse("2026-03-04T05:06:07Z"));
        byte[] digest = ContentHash.templateDigest(t);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.setAutoCommit(false);
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO templates(person_id, dim, embedding,"
                    + " model_id, model_sha256, quality, photo_sha256, created_at, digest) VALUES (?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, personId);
                ps.setInt(2, embedding.length);
                ps.setBytes(3, TemplateCodec.toBytes(embedding));
                ps.setString(4, t.modelId());
                ps.setString(5, t.modelSha256());
                ps.setDouble(6, t.quality());
                ps.setString(7, t.photoSha256());
                ps.setLong(8, t.createdAt().toEpochMilli());
                ps.setBytes(9, digest);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            String sum;
            long version;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT key, value FROM meta ORDER BY key")) {
                rs.next();
                sum = rs.getString(2); // content_sum
                rs.next();
                version = Long.parseLong(rs.getString(2));
            }
            BigInteger next = new BigInteger(sum, 16).add(new BigInteger(1, digest)).mod(BigInteger.ONE.shiftLeft(256));
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE meta SET value = '" + next.toString(16) + "' WHERE key = 'content_sum'");
                st.executeUpdate("UPDATE meta SET value = '" + (version + 1) + "' WHERE key = 'version'");
            }
            c.commit();
            return id;
        }
    }

    /**
     * Makes a file or directory read-only for this process and undoes it on close. Permission bits bind ordinary
     * users; root ignores them, so there the immutable attribute ({@code chattr +i}, binding root too) is used.
     */
    public static AutoCloseable readOnly(Path p) throws Exception {
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(p);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-xr-xr-x"
                : "r--r--r--"));
        if (!Files.isWritable(p)) {
            return () -> Files.setPosixFilePermissions(p, before);
        }
        Files.setPosixFilePermissions(p, before);
        boolean immutable = exec("chattr", "+i", p.toString()) == 0;
        Assumptions.assumeTrue(immutable && !Files.isWritable(p), "cannot make " + p + " read-only here: running as"
                + " root (permission bits do not bind) and chattr +i is not available on this file system");
        return () -> exec("chattr", "-i", p.toString());
    }

    public static int exec(String... command) throws Exception {
        try {
            Process pr = new ProcessBuilder(command).redirectErrorStream(true).start();
            pr.getInputStream().readAllBytes();
            return pr.waitFor();
        } catch (java.io.IOException e) {
            return -1; // not installed
        }
    }
}

package io.facegate.mqtt;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small but real gallery and door for tests, on its own SQLite file: persons with templates, a content hash
 * computed from what is stored, photo "embedding" with quality gates (the photo must decode as JPEG/PNG, be at least
 * 64x64 and not flat), a model check for templates, and a door that records unlocks and refuses them in lockdown.
 * The embedding is an 8x8 grey thumbnail, unit length: deterministic, so tests can predict it.
 */
final class TestGallery implements DeviceActions, AutoCloseable {
    static final String MODEL_SHA256 = sha256Hex("test-thumbnail-embedding-v1".getBytes(StandardCharsets.UTF_8));

    private final Connection db;
    private final List<String> doorLog = new ArrayList<>();
    private boolean lockdown;

    TestGallery(Path file) throws SQLException {
        db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (var s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("CREATE TABLE IF NOT EXISTS persons (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                    + " groups TEXT NOT NULL, enabled INTEGER NOT NULL, valid_from TEXT, valid_until TEXT,"
                    + " model TEXT NOT NULL, templates BLOB NOT NULL)");
        }
    }

    @Override
    public synchronized CommandResult enroll(EnrollRequest r) {
        List<float[]> templates = new ArrayList<>();
        if (!r.photos().isEmpty()) {
            for (int i = 0; i < r.photos().size(); i++) {
                String gate = qualityGate(r.photos().get(i));
                if (gate != null) {
                    return CommandResult.error("quality_gate", "photo " + (i + 1) + ": " + gate);
                }
                templates.add(embed(r.photos().get(i)));
            }
        } else {
            if (!MODEL_SHA256.equals(r.modelSha256())) {
                return CommandResult.error("model_mismatch", "templates were made by model " + r.modelSha256()
                        + ", this door runs " + MODEL_SHA256);
            }
            templates.addAll(r.templates());
        }
        try (var ps = db.prepareStatement("INSERT OR REPLACE INTO persons VALUES(?,?,?,?,?,?,?,?)")) {
            ps.setString(1, r.personId());
            ps.setString(2, r.displayName());
            ps.setString(3, String.join(",", new TreeSet<>(r.groups())));
            ps.setInt(4, r.enabled() ? 1 : 0);
            ps.setString(5, r.validFrom() == null ? null : r.validFrom().toString());
            ps.setString(6, r.validUntil() == null ? null : r.validUntil().toString());
            ps.setString(7, MODEL_SHA256);
            ps.setBytes(8, pack(templates));
            ps.executeUpdate();
        } catch (SQLException e) {
            return CommandResult.error("storage", e.getMessage());
        }
        return CommandResult.ok("enrolled " + r.personId(), Map.of("templates", encode(templates),
                "model_sha256", MODEL_SHA256));
    }

    @Override
    public synchronized CommandResult updatePerson(PersonUpdate u) {
        try (var q = db.prepareStatement("SELECT name, groups, enabled, valid_from, valid_until FROM persons"
                + " WHERE id=?")) {
            q.setString(1, u.personId());
            try (var rs = q.executeQuery()) {
                if (!rs.next()) {
                    return CommandResult.error("unknown_person", "no person " + u.personId());
                }
                try (var ps = db.prepareStatement("UPDATE persons SET name=?, groups=?, enabled=?, valid_from=?,"
                        + " valid_until=? WHERE id=?")) {
                    ps.setString(1, u.displayName() != null ? u.displayName() : rs.getString(1));
                    ps.setString(2, u.groups() != null ? String.join(",", new TreeSet<>(u.groups())) : rs.getString(2));
                    ps.setInt(3, u.enabled() != null ? (u.enabled() ? 1 : 0) : rs.getInt(3));
                    ps.setString(4, u.clearValidFrom() ? null
                            : u.validFrom() != null ? u.validFrom().toString() : rs.getString(4));
                    ps.setString(5, u.clearValidUntil() ? null
                            : u.validUntil() != null ? u.validUntil().toString() : rs.getString(5));
                    ps.setString(6, u.personId());
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            return CommandResult.error("storage", e.getMessage());
        }
        return CommandResult.ok("updated " + u.personId());
    }

    @Override
    public synchronized CommandResult removePerson(String personId) {
        try (var ps = db.prepareStatement("DELETE FROM persons WHERE id=?")) {
            ps.setString(1, personId);
            ps.executeUpdate();
        } catch (SQLException e) {
            return CommandResult.error("storage", e.getMessage());
        }
        return CommandResult.ok("removed " + personId);
    }

    @Override
    public synchronized CommandResult unlock(Duration d, String by) {
        if (lockdown) {
            return CommandResult.error("lockdown", "the door is in lockdown");
        }
        doorLog.add("unlock " + d.toSeconds() + "s by " + by);
        return CommandResult.ok("unlocked for " + d.toSeconds() + " s");
    }

    @Override
    public synchronized CommandResult lockdown(boolean on, String by) {
        lockdown = on;
        doorLog.add("lockdown " + on + " by " + by);
        return CommandResult.ok("lockdown " + (on ? "on" : "off"));
    }

    synchronized List<String> doorLog() {
        return List.copyOf(doorLog);
    }

    synchronized Set<String> personIds() {
        Set<String> ids = new TreeSet<>();
        try (var s = db.createStatement(); var rs = s.executeQuery("SELECT id FROM persons")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    synchronized String nameOf(String id) {
        try (var ps = db.prepareStatement("SELECT name FROM persons WHERE id=?")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hash over everything stored, persons in id order: equal galleries give equal hashes. */
    @Override
    public synchronized GalleryState galleryState() {
        try (var s = db.createStatement(); var rs = s.executeQuery("SELECT id, name, groups, enabled, valid_from,"
                + " valid_until, model, templates FROM persons ORDER BY id")) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            int n = 0;
            while (rs.next()) {
                for (int c = 1; c <= 7; c++) {
                    String v = rs.getString(c);
                    md.update((v == null ? "\u0001" : v).getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0);
                }
                md.update(rs.getBytes(8));
                n++;
            }
            return new GalleryState(n, HexFormat.of().formatHex(md.digest()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String qualityGate(byte[] photo) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(photo));
        } catch (IOException e) {
            img = null;
        }
        if (img == null) {
            return "not a JPEG or PNG image";
        }
        if (img.getWidth() < 64 || img.getHeight() < 64) {
            return "too small (" + img.getWidth() + "x" + img.getHeight() + ", need 64x64)";
        }
        double sum = 0;
        double sq = 0;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y += 4) {
            for (int x = 0; x < img.getWidth(); x += 4) {
                double g = grey(img.getRGB(x, y));
                sum += g;
                sq += g * g;
                n++;
            }
        }
        double sd = Math.sqrt(Math.max(0, sq / n - (sum / n) * (sum / n)));
        return sd < 8 ? "no contrast (a flat image holds no face)" : null;
    }

    static float[] embed(byte[] photo) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(photo));
            float[] v = new float[64];
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    v[(y * 8 / img.getHeight()) * 8 + (x * 8 / img.getWidth())] += (float) grey(img.getRGB(x, y));
                }
            }
            double norm = 0;
            for (float f : v) {
                norm += f * f;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
            return v;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double grey(int rgb) {
        return 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
    }

    static byte[] pack(List<float[]> templates) {
        int n = templates.stream().mapToInt(t -> t.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] t : templates) {
            for (float f : t) {
                b.putFloat(f);
            }
        }
        return b.array();
    }

    static List<String> encode(List<float[]> templates) {
        List<String> out = new ArrayList<>();
        for (float[] t : templates) {
            out.add(java.util.Base64.getEncoder().encodeToString(pack(List.of(t))));
        }
        return out;
    }

    static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }

    static Instant parse(String s) {
        return s == null ? null : Instant.parse(s);
    }
}

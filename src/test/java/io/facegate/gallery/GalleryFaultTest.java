package io.facegate.gallery;

import io.facegate.config.GalleryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 (findings 1 and 7): nothing invalid is stored, a bad row already stored does not brick the door, and a
 * removal is effective in memory even when the store cannot commit it. All on the real SQLite store.
 */
class GalleryFaultTest {
    static final String SHA = "c".repeat(64);
    static final int DIM = 512;
    static final Instant T = Instant.parse("2026-03-04T05:06:07Z");

    static Template template(String person, float[] v) {
        return new Template(person, v, "m", SHA, 1.0, Integer.toHexString(java.util.Arrays.hashCode(v))
                + "0".repeat(56), T);
    }

    static float[] unit(SplittableRandom rnd) {
        return SearchBenchmark.randomUnit(rnd, DIM);
    }

    /** The daemon's store, giving up on another process's write lock after 200 ms instead of 10 s. */
    static GalleryStore shortLockWait(GalleryConfig cfg) {
        return GalleryStore.open(cfg.databaseFile(), java.time.Clock.systemUTC(), java.time.Duration.ofMillis(200));
    }

    /** What a removed person must never get: a match, or an entry in the directory. */
    static void assertGone(Gallery g, String id, float[] face) {
        assertTrue(g.find(id).isEmpty(), id + " must not be found as allowed");
        MatchResult r = g.identify(face);
        assertNotEquals(id, r.personId(), id + " must never be matched");
    }

    /**
     * Writes an invalid template row the way an older facegate did (through its own transaction, hash and version
     * updated), so the file is otherwise consistent.
     */
    static long plantInvalidRow(Path file, String personId, float[] embedding) throws Exception {
        Template t = template(personId, embedding);
        byte[] digest = GalleryStore.templateDigest(t);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.setAutoCommit(false);
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO templates(person_id, dim, embedding,"
                    + " model_id, model_sha256, quality, photo_sha256, created_at, digest) VALUES (?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, personId);
                ps.setInt(2, embedding.length);
                ps.setBytes(3, GalleryStore.toBytes(embedding));
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

    @Test
    void invalidTemplatesAreRefusedBeforeTheTransactionAndNothingIsStored(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] nan = unit(rnd);
        nan[7] = Float.NaN;
        float[] inf = unit(rnd);
        inf[3] = Float.POSITIVE_INFINITY;
        try (GalleryStore s = GalleryStore.open(dir.resolve("gallery.db"))) {
            s.enroll(Person.of("alice", "Alice", null), List.of(template("alice", unit(rnd))), false, 5);
            long version = s.version();
            String hash = s.contentHash();
            for (float[] bad : List.of(new float[DIM], nan, inf, new float[] {1, 0, 0})) {
                assertThrows(GalleryException.class, () -> s.enroll(Person.of("bob", "Bob", null),
                        List.of(template("bob", unit(rnd)), template("bob", bad)), false, 5));
                assertThrows(GalleryException.class, () -> s.importEntries(List.of(new GalleryStore.Entry(
                        Person.of("bob", "Bob", null), List.of(template("bob", bad)))), 5));
            }
            assertEquals(version, s.version(), "nothing committed");
            assertEquals(hash, s.contentHash());
            assertTrue(s.person("bob").isEmpty(), "not even the person");
            assertTrue(s.verify().consistent(), s.verify().problems().toString());
        }
    }

    @Test
    void theDaemonsGalleryRefusesAZeroTemplateAndKeepsReloading(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(2);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        float[] alice = unit(rnd);
        try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
            daemon.enroll(Person.of("alice", "Alice", null), List.of(template("alice", alice)), false);
            // the fleet record of finding 1: a signed enroll with an all-zero template
            assertThrows(GalleryException.class, () -> daemon.enroll(Person.of("mallory", "M", null),
                    List.of(template("mallory", new float[DIM])), true));
            assertTrue(daemon.store().person("mallory").isEmpty(), "refused means not stored");
            assertTrue(daemon.find("mallory").isEmpty());
            try (GalleryStore cli = GalleryStore.open(cfg.databaseFile())) {
                assertTrue(cli.removePerson("alice").isPresent());
            }
            assertTrue(daemon.reloadIfChanged(), "the CLI's removal is picked up");
            assertGone(daemon, "alice", alice);
        }
    }

    @Test
    void anInvalidRowFromAnOlderVersionIsQuarantinedAndRemovalsStayEffective(@TempDir Path dir) throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        float[] alice = unit(rnd);
        float[] bob = unit(rnd);
        long badRow;
        try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
            s.enroll(Person.of("alice", "Alice", Set.of("staff")), List.of(template("alice", alice)), false, 5);
            s.enroll(Person.of("bob", "Bob", null), List.of(template("bob", bob)), false, 5);
        }
        badRow = plantInvalidRow(cfg.databaseFile(), "bob", new float[DIM]);
        try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
            assertEquals("alice", daemon.identify(alice).personId(), "the door still works");
            assertEquals("bob", daemon.identify(bob).personId(), "bob's good template still works");
            try (GalleryStore cli = GalleryStore.open(cfg.databaseFile())) {
                assertTrue(cli.removePerson("alice").isPresent());
                GalleryStore.Verification v = cli.verify();
                assertFalse(v.consistent(), "verify finds the stored invalid row");
                assertTrue(v.problems().stream().anyMatch(p -> p.contains("bob") && p.contains("template " + badRow)),
                        v.problems().toString());
            }
            assertTrue(daemon.reloadIfChanged());
            assertGone(daemon, "alice", alice);
            assertEquals("bob", daemon.identify(bob).personId());
        }
    }

    @Test
    void aRemovalIsEffectiveInMemoryWhenTheStoreIsLockedAndTheStoreStaysHonestAfterwards(@TempDir Path dir)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(4);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        float[] alice = unit(rnd);
        float[] bob = unit(rnd);
        try (Gallery daemon = Gallery.open(cfg, shortLockWait(cfg), "m", SHA)) {
            daemon.enroll(Person.of("alice", "Alice", null), List.of(template("alice", alice)), false);
            daemon.enroll(Person.of("bob", "Bob", null), List.of(template("bob", bob)), false);
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + cfg.databaseFile());
                 Statement st = other.createStatement()) {
                st.execute("BEGIN IMMEDIATE"); // another writer holds the lock
                assertThrows(GalleryException.class, () -> daemon.remove("alice"));
                assertGone(daemon, "alice", alice);
                st.execute("ROLLBACK");
            }
            assertGone(daemon, "alice", alice);
            assertEquals(2, daemon.store().version(), "the failed removal committed nothing");
            assertTrue(daemon.store().person("alice").isPresent());
            // the connection must not be left half in a transaction: the next change commits atomically
            assertTrue(daemon.remove("bob").isPresent());
            assertGone(daemon, "bob", bob);
            assertEquals(3, daemon.store().version());
            daemon.reloadIfChanged();
            assertGone(daemon, "alice", alice);
            assertGone(daemon, "bob", bob);
        }
    }
}

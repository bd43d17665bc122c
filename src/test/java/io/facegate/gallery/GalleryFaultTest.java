package io.facegate.gallery;

import io.facegate.TestData;
import io.facegate.access.AccessPolicy;
import io.facegate.access.Decision;
import io.facegate.access.DecisionRule;
import io.facegate.access.DenialReason;
import io.facegate.access.FrameQuality;
import io.facegate.access.Recognition;
import io.facegate.access.ScoreCalibration;
import io.facegate.cli.Main;
import io.facegate.config.AccessConfig;
import io.facegate.config.GalleryConfig;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        return RandomTemplates.unit(rnd, DIM);
    }

    /** The daemon's store, giving up on another process's write lock after 200 ms instead of 10 s. */
    static GalleryStore shortLockWait(GalleryConfig cfg) {
        return GalleryStore.open(cfg.databaseFile(), Clock.systemUTC(), Duration.ofMillis(200));
    }

    /** What a removed person must never get: a match, or an entry in the directory. */
    static void assertGone(Gallery g, String id, float[] face) {
        assertTrue(g.find(id).isEmpty(), id + " must not be found as allowed");
        assertNotEquals(id, g.best(face).personId(), id + " must never be a candidate");
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
        badRow = GalleryFaults.plantInvalidRow(cfg.databaseFile(), "bob", new float[DIM]);
        try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
            assertEquals("alice", daemon.best(alice).personId(), "the door still works");
            assertEquals("bob", daemon.best(bob).personId(), "bob's good template still works");
            try (GalleryStore cli = GalleryStore.open(cfg.databaseFile())) {
                assertTrue(cli.removePerson("alice").isPresent());
                GalleryStore.Verification v = cli.verify();
                assertFalse(v.consistent(), "verify finds the stored invalid row");
                assertTrue(v.problems().stream().anyMatch(p -> p.contains("bob") && p.contains("template " + badRow)),
                        v.problems().toString());
            }
            assertTrue(daemon.reloadIfChanged());
            assertGone(daemon, "alice", alice);
            assertEquals("bob", daemon.best(bob).personId());
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
                GalleryException e = assertThrows(GalleryException.class, () -> daemon.remove("alice"));
                assertTrue(e.getMessage().contains("locked"), e.getMessage());
                assertGone(daemon, "alice", alice);
                assertEquals("degraded", daemon.state());
                assertTrue(daemon.problem().contains("remove alice NOT committed"), daemon.problem());
                // a disable that cannot be stored: bob is denied at once, and the policy says why
                assertThrows(GalleryWriteException.class, () -> daemon.setEnabled("bob", false));
                assertTrue(daemon.find("bob").isEmpty());
                assertEquals(Optional.of(DenialReason.GALLERY_DEGRADED), decide(daemon, bob).map(Decision::reason));
                st.execute("ROLLBACK");
            }
            assertGone(daemon, "alice", alice);
            daemon.reloadIfChanged();
            assertGone(daemon, "alice", alice);
            assertTrue(daemon.find("bob").isEmpty(), "the failed disable still holds after a good reload");
            assertEquals(2, daemon.store().version(), "the failed removal committed nothing");
            assertTrue(daemon.store().person("alice").isPresent());
            // the connection must not be left half in a transaction: the next change commits atomically
            assertTrue(daemon.remove("bob").isPresent());
            assertGone(daemon, "bob", bob);
            assertEquals(3, daemon.store().version());
            daemon.reloadIfChanged();
            assertGone(daemon, "alice", alice);
            assertGone(daemon, "bob", bob);
            assertTrue(daemon.remove("alice").isPresent(), "sent again, the removal commits");
            assertNull(daemon.problem());
            assertEquals("ok", daemon.state());
            assertTrue(daemon.store().verify().consistent());
        }
    }

    @Test
    void whenAChangedGalleryCannotBeReadNobodyIsVouchedFor(@TempDir Path dir) throws Exception {
        SplittableRandom rnd = new SplittableRandom(12);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        float[] alice = unit(rnd);
        try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
            daemon.enroll(Person.of("alice", "Alice", null), List.of(template("alice", alice)), false);
            assertEquals(Optional.of(true), decide(daemon, alice).map(Decision::granted),
                    "alice is let in while all is well");
            // another process changes the file in a way this version cannot read
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + cfg.databaseFile());
                 Statement st = other.createStatement()) {
                st.execute("ALTER TABLE templates RENAME TO templates_elsewhere");
                st.execute("UPDATE meta SET value = '99' WHERE key = 'version'");
            }
            assertThrows(GalleryException.class, daemon::reloadIfChanged);
            assertTrue(daemon.find("alice").isEmpty(), "nobody is vouched for");
            assertFalse(daemon.vouchesFor("alice"));
            assertEquals(Optional.of(DenialReason.GALLERY_DEGRADED), decide(daemon, alice).map(Decision::reason));
            assertTrue(daemon.problem().contains("cannot read the gallery"), daemon.problem());
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + cfg.databaseFile());
                 Statement st = other.createStatement()) {
                st.execute("ALTER TABLE templates_elsewhere RENAME TO templates");
            }
            assertTrue(daemon.reloadIfChanged());
            assertTrue(daemon.find("alice").isPresent(), "readable again: vouched for again");
            assertNull(daemon.problem());
        }
    }

    @Test
    void aFullDatabaseRefusesGrowthButNotRevocationAndStaysConsistent(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(5);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        float[] alice = unit(rnd);
        float[] carol = unit(rnd);
        try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
            daemon.enroll(Person.of("alice", "Alice", null), List.of(template("alice", alice)), false);
            daemon.store().limitSize(0);
            int enrolled = 0;
            GalleryWriteException full = null;
            for (int i = 0; i < 200 && full == null; i++) { // fill the last free pages, then one more
                try {
                    daemon.enroll(Person.of("p" + i, "P", null), List.of(template("p" + i, unit(rnd))), false);
                    enrolled++;
                } catch (GalleryWriteException e) {
                    full = e;
                }
            }
            assertNotNull(full, "the size limit was never reached");
            assertTrue(full.getMessage().contains("full"), full.getMessage());
            long version = daemon.store().version();
            assertEquals(1 + enrolled, version, "the refused enrollment committed nothing");
            GalleryException again = assertThrows(GalleryWriteException.class, () -> daemon.enroll(
                    Person.of("carol", "Carol", null), List.of(template("carol", carol)), false));
            assertTrue(again.getMessage().contains("full"), again.getMessage());
            assertTrue(daemon.find("carol").isEmpty());
            assertEquals("degraded", daemon.state());
            // a removal frees pages: it must still be possible, and commit as a whole
            assertTrue(daemon.remove("alice").isPresent());
            assertGone(daemon, "alice", alice);
            assertEquals(version + 1, daemon.store().version());
            assertTrue(daemon.store().person("alice").isEmpty());
            GalleryStore.Verification v = daemon.store().verify();
            assertTrue(v.consistent(), v.problems().toString());
        }
    }

    @Test
    void aFullFileSystemCannotTakeTheRemovalButTheDoorDeniesThePersonAtOnce(@TempDir Path dir) throws Exception {
        Path mnt = dir.resolve("small-disk");
        Files.createDirectories(mnt);
        // a real full disk: a 4 MiB tmpfs, which needs root (and a kernel that lets this container mount)
        Assumptions.assumeTrue(GalleryFaults.exec("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt.toString()) == 0,
                "cannot mount a small tmpfs here (needs root and mount rights); the size-limit test covers SQLITE_FULL");
        try {
            SplittableRandom rnd = new SplittableRandom(10);
            GalleryConfig cfg = GalleryConfig.defaults().withDataDir(mnt.resolve("data"));
            float[] alice = unit(rnd);
            try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
                daemon.enroll(Person.of("alice", "Alice", null), List.of(template("alice", alice)), false);
                daemon.enroll(Person.of("bob", "Bob", null), List.of(template("bob", unit(rnd))), false);
                Path filler = mnt.resolve("filler");
                try (var out = Files.newOutputStream(filler)) {
                    byte[] block = new byte[64 * 1024];
                    while (true) {
                        out.write(block);
                    }
                } catch (java.io.IOException diskFull) {
                    // the disk is full now
                }
                GalleryException e = assertThrows(GalleryException.class, () -> daemon.remove("alice"));
                assertTrue(e.getMessage().contains("full"), e.getMessage());
                assertGone(daemon, "alice", alice);
                assertTrue(daemon.problem().contains("remove alice NOT committed"), daemon.problem());
                assertTrue(daemon.store().person("alice").isPresent(), "the file still holds alice");
                daemon.reloadIfChanged();
                assertGone(daemon, "alice", alice);

                Files.delete(filler);
                assertTrue(daemon.remove("alice").isPresent(), "space again: the removal commits");
                assertGone(daemon, "alice", alice);
                assertNull(daemon.problem());
                assertTrue(daemon.store().verify().consistent());
            }
        } finally {
            GalleryFaults.exec("umount", mnt.toString());
        }
    }

    @Test
    void aReadOnlyGalleryFileRefusesToStartAndTheCliNeverClaimsARemoval(@TempDir Path dir) throws Exception {
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
            s.enroll(Person.of("alice", "Alice", null), List.of(template("alice", unit(new SplittableRandom(6)))),
                    false, 5);
        }
        try (AutoCloseable ro = GalleryFaults.readOnly(cfg.databaseFile())) {
            GalleryException e = assertThrows(GalleryWriteException.class, () -> Gallery.open(cfg, "m", SHA));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            Cli remove = Cli.run("gallery", "remove", "--data-dir", dir.toString(), "alice");
            assertNotEquals(0, remove.exit(), remove.toString());
            assertTrue(remove.err().contains("read-only") && remove.err().contains("NOT committed"), remove.toString());
            assertFalse(remove.out().contains("removed"), remove.toString());
        }
        try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
            assertTrue(s.person("alice").isPresent(), "nothing was removed");
        }
    }

    @Test
    void aReadOnlyDirectoryRefusesToStartSayingWhy(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(data);
        try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
            s.enroll(Person.of("alice", "Alice", null), List.of(template("alice", unit(new SplittableRandom(7)))),
                    false, 5);
        }
        try (AutoCloseable ro = GalleryFaults.readOnly(data)) {
            GalleryException e = assertThrows(GalleryException.class, () -> Gallery.open(cfg, "m", SHA));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void cliImportOfAZeroEmbeddingFailsAndVerifyNamesAStoredInvalidRow(@TempDir Path dir) throws Exception {
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir.resolve("data"));
        Path export = dir.resolve("export.json");
        try (GalleryStore s = GalleryStore.open(dir.resolve("src/gallery.db"))) {
            s.enroll(Person.of("alice", "Alice", null), List.of(template("alice", unit(new SplittableRandom(8)))),
                    false, 5);
            GalleryExport.write(s, export);
        }
        String zero = java.util.Base64.getEncoder().encodeToString(new byte[DIM * 4]);
        String json = Files.readString(export).replaceFirst("\"embedding\" : \"[^\"]+\"",
                "\"embedding\" : \"" + zero + "\"");
        Files.writeString(export, json);
        Cli imp = Cli.run("gallery", "import", "--data-dir", cfg.dataDir().toString(), export.toString());
        assertNotEquals(0, imp.exit(), imp.toString());
        assertTrue(imp.err().contains("zero norm"), imp.toString());
        try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
            assertTrue(s.person("alice").isEmpty());
            s.enroll(Person.of("bob", "Bob", null), List.of(template("bob", unit(new SplittableRandom(9)))), false, 5);
        }
        long row = GalleryFaults.plantInvalidRow(cfg.databaseFile(), "bob", new float[DIM]);
        Cli verify = Cli.run("gallery", "verify", "--data-dir", cfg.dataDir().toString());
        assertEquals(1, verify.exit(), verify.toString());
        assertTrue(verify.out().contains("person bob, template " + row), verify.toString());
    }

    /** A real access decision over the gallery as directory: frames of one face until the policy concludes. */
    static Optional<Decision> decide(Gallery g, float[] face) throws Exception {
        AccessConfig cfg = Yaml.mapper().readValue("{liveness_enabled: false, default_schedule: always}",
                AccessConfig.class);
        Instant t0 = Instant.parse("2026-03-02T10:00:00Z"); // a Monday morning
        DecisionRule rule = new DecisionRule(cfg, ScoreCalibration.read(TestData.models().resolve(
                ScoreCalibration.FILE_NAME)));
        AccessPolicy policy = new AccessPolicy(rule, g, g, Clock.fixed(t0, ZoneOffset.UTC), () -> false,
                () -> false);
        // a sharp, frontal, near face: only who it is can decide
        FrameQuality good = new FrameQuality(Double.MAX_VALUE, Double.MAX_VALUE, 100, 0, 0);
        for (int i = 0; i < 20; i++) {
            Optional<Decision> d = policy.offer(new Recognition(1, face, good, 0.9,
                    t0.minusMillis(2000 - 100L * i)));
            if (d.isPresent()) {
                return d;
            }
        }
        return Optional.empty();
    }

    /** The outcome of one {@code facegate} command line run in this JVM. */
    record Cli(int exit, String out, String err) {
        static Cli run(String... args) {
            StringWriter err = new StringWriter();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.PrintStream oldOut = System.out;
            java.io.PrintStream oldErr = System.err;
            java.io.ByteArrayOutputStream errStream = new java.io.ByteArrayOutputStream();
            int exit;
            try {
                System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
                System.setErr(new java.io.PrintStream(errStream, true, java.nio.charset.StandardCharsets.UTF_8));
                CommandLine cmd = Main.commandLine();
                cmd.setErr(new PrintWriter(err, true));
                exit = cmd.execute(args);
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
            return new Cli(exit, out.toString(java.nio.charset.StandardCharsets.UTF_8),
                    err + errStream.toString(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}

package io.facegate.gallery;

import io.facegate.access.Candidate;

import io.facegate.config.GalleryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GalleryStoreTest {
    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);
    static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    static Template template(String person, SplittableRandom rnd, String modelSha) {
        return new Template(person, RandomTemplates.unit(rnd, 512), "fr_feature", modelSha, 0.8,
                Long.toHexString(rnd.nextLong()) + "0".repeat(48), T);
    }

    @Test
    void roundTripKeepsEveryFieldAndEmbeddingBitForBit(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(1);
        Person alice = new Person("alice", "Alice A.", Set.of("staff", "lab"), true,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"), null, null);
        List<Template> ts = List.of(template("alice", rnd, SHA_A), template("alice", rnd, SHA_A));
        Path file = dir.resolve("gallery.db");
        try (GalleryStore s = GalleryStore.open(file)) {
            assertEquals(0, s.version());
            GalleryStore.Change c = s.enroll(alice, ts, false, 5);
            assertEquals(1, c.version());
            assertEquals(c.contentHash(), s.contentHash());
        }
        try (GalleryStore s = GalleryStore.open(file)) {
            Person p = s.person("alice").orElseThrow();
            assertEquals("Alice A.", p.displayName());
            assertEquals(Set.of("lab", "staff"), p.groups());
            assertEquals(alice.validFrom(), p.validFrom());
            assertEquals(alice.validUntil(), p.validUntil());
            assertTrue(p.enabled());
            List<Template> back = s.templates("alice");
            assertEquals(2, back.size());
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(ts.get(i).embedding(), back.get(i).embedding());
                assertEquals(ts.get(i).photoSha256(), back.get(i).photoSha256());
                assertEquals(SHA_A, back.get(i).modelSha256());
                assertEquals(T, back.get(i).createdAt());
            }
            assertEquals(1, s.version());
            assertTrue(s.verify().consistent(), s.verify().problems().toString());
        }
    }

    @Test
    void versionCountsChangesAndHashIsOrderIndependent(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(2);
        Template a1 = template("a", rnd, SHA_A);
        Template b1 = template("b", rnd, SHA_A);
        Template b2 = template("b", rnd, SHA_A);
        String h1;
        String h2;
        try (GalleryStore s = GalleryStore.open(dir.resolve("one.db"))) {
            s.enroll(Person.of("a", "A", null), List.of(a1), false, 5);
            s.enroll(Person.of("b", "B", null), List.of(b1, b2), false, 5);
            assertEquals(2, s.version());
            h1 = s.contentHash();
        }
        try (GalleryStore s = GalleryStore.open(dir.resolve("two.db"))) {
            s.enroll(Person.of("b", "B", null), List.of(b2), false, 5);
            s.enroll(Person.of("x", "X", null), List.of(template("x", rnd, SHA_A)), false, 5);
            s.enroll(Person.of("b", "B", null), List.of(b1), false, 5);
            s.enroll(Person.of("a", "A", null), List.of(a1), false, 5);
            String withX = s.contentHash();
            assertTrue(s.removePerson("x").isPresent());
            assertEquals(5, s.version());
            h2 = s.contentHash();
            assertNotEquals(withX, h2);
            assertTrue(s.verify().consistent());
            // A change of any attribute changes the hash; undoing it restores it.
            s.putPerson(s.person("a").orElseThrow().withEnabled(false));
            assertNotEquals(h2, s.contentHash());
            s.putPerson(s.person("a").orElseThrow().withEnabled(true));
            assertEquals(h2, s.contentHash());
            assertEquals(7, s.version());
        }
        assertEquals(h1, h2, "same people and templates, different history: same content hash");
    }

    @Test
    void templateLimitRefusesTheWholeChange(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(3);
        try (GalleryStore s = GalleryStore.open(dir.resolve("g.db"))) {
            s.enroll(Person.of("a", "A", null), List.of(template("a", rnd, SHA_A)), false, 2);
            String hash = s.contentHash();
            GalleryException e = assertThrows(GalleryException.class, () -> s.enroll(Person.of("a", "Renamed", null),
                    List.of(template("a", rnd, SHA_A), template("a", rnd, SHA_A)), false, 2));
            assertTrue(e.getMessage().contains("max_templates_per_person"), e.getMessage());
            assertEquals(1, s.version());
            assertEquals(hash, s.contentHash());
            assertEquals("A", s.person("a").orElseThrow().displayName(), "rolled back, name too");
            assertEquals(1, s.templateCount("a"));
        }
    }

    @Test
    void corruptFileIsAClearErrorAndIsLeftUntouched(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gallery.db");
        byte[] junk = new byte[64 * 1024];
        new SplittableRandom(4).nextBytes(junk);
        Files.write(file, junk);
        GalleryException e = assertThrows(GalleryException.class, () -> GalleryStore.open(file));
        assertTrue(e.getMessage().contains("left untouched"), e.getMessage());
        assertArrayEquals(junk, Files.readAllBytes(file));
    }

    @Test
    void damagedGalleryFailsTheCheck(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gallery.db");
        SplittableRandom rnd = new SplittableRandom(5);
        try (GalleryStore s = GalleryStore.open(file)) {
            for (int i = 0; i < 40; i++) {
                s.enroll(Person.of("p" + i, "P", null), List.of(template("p" + i, rnd, SHA_A)), false, 5);
            }
        }
        // Overwrite the middle of the file (b-tree pages) with junk, as a failing SD card might.
        byte[] all = Files.readAllBytes(file);
        for (int i = all.length / 3; i < all.length / 3 + 40_000 && i < all.length; i++) {
            all[i] = (byte) (i * 31);
        }
        Files.write(file, all);
        GalleryException e = assertThrows(GalleryException.class, () -> {
            try (GalleryStore s = GalleryStore.open(file); Gallery g = Gallery.open(
                    GalleryConfig.defaults().withDataDir(dir), "fr_feature", SHA_A)) {
                s.verify();
            }
        });
        assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("not a readable"), e.getMessage());
        assertArrayEquals(all, Files.readAllBytes(file), "never silently replaced");
    }

    @Test
    void foreignSqliteDatabaseAndNewerSchemaAreRefused(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE invoices(id INTEGER)");
        }
        GalleryException e = assertThrows(GalleryException.class, () -> GalleryStore.open(other));
        assertTrue(e.getMessage().contains("not a facegate gallery"), e.getMessage());

        Path newer = dir.resolve("newer.db");
        GalleryStore.open(newer).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + newer); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        e = assertThrows(GalleryException.class, () -> GalleryStore.open(newer));
        assertTrue(e.getMessage().contains("newer facegate"), e.getMessage());
    }

    @Test
    void templatesOfAnotherModelAreStoredReportedAndNeverCompared(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(6);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        Template old = template("olga", rnd, SHA_B);
        try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
            s.enroll(Person.of("olga", "Olga", null), List.of(old), false, 5);
            s.enroll(Person.of("nina", "Nina", null), List.of(template("nina", rnd, SHA_A)), false, 5);
        }
        try (Gallery g = Gallery.open(cfg, "fr_feature", SHA_A)) {
            assertEquals(1, g.templateCount());
            assertEquals(1, g.foreignTemplates().size());
            assertEquals(1, g.foreignTemplates().values().iterator().next());
            assertTrue(g.foreignTemplates().keySet().iterator().next().contains(SHA_B));
            Candidate r = g.best(old.embedding());
            assertNotEquals("olga", r.personId(), "olga's only template is from another model");
            assertTrue(g.find("olga").isPresent(), "the person still exists for the access policy");
            assertThrows(GalleryException.class, () -> g.enroll(Person.of("olga", "Olga", null),
                    List.of(template("olga", rnd, SHA_B)), false));
        }
    }

    @Test
    void exportImportRoundTripGivesTheSameContentHash(@TempDir Path dir) throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        List<String> hashes = new ArrayList<>();
        Path export = dir.resolve("export.json");
        try (GalleryStore s = GalleryStore.open(dir.resolve("a/gallery.db"))) {
            s.enroll(new Person("amy", "Amy", Set.of("g1"), false, null, T, null, null),
                    List.of(template("amy", rnd, SHA_A), template("amy", rnd, SHA_B)), false, 5);
            s.enroll(Person.of("bob", "Bob", Set.of("g2")), List.of(template("bob", rnd, SHA_A)), false, 5);
            GalleryExport.write(s, export);
            hashes.add(s.contentHash());
        }
        String json = Files.readString(export);
        assertFalse(json.contains("photo\""), "no photos");
        try (GalleryStore s = GalleryStore.open(dir.resolve("b/gallery.db"))) {
            GalleryStore.Change c = s.importEntries(GalleryExport.read(export), 5);
            assertEquals(1, c.version(), "one import, one change");
            hashes.add(s.contentHash());
            assertFalse(s.person("amy").orElseThrow().enabled());
            assertEquals(2, s.templateCount("amy"));
        }
        assertEquals(hashes.get(0), hashes.get(1));

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, json.replaceFirst("\"dim\" : 512", "\"dim\" : 500"));
        assertThrows(GalleryException.class, () -> GalleryExport.read(bad));
    }

    @Test
    void personIdsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Person.of("a b", "x", null));
        assertThrows(IllegalArgumentException.class, () -> Person.of("", "x", null));
        assertThrows(IllegalArgumentException.class, () -> new Person("a", "A", null, true, T, T.minusSeconds(1),
                null, null));
    }
}

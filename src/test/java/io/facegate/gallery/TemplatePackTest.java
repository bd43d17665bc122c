package io.facegate.gallery;

import io.facegate.config.GalleryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up reads the templates from one packed file of exactly the gallery's state, and from the rows whenever the
 * pack is missing, stale, of another state or damaged: whatever the pack holds, the door matches what the gallery
 * file holds, and a removed person never comes back.
 */
class TemplatePackTest {
    private static final String SHA = "e".repeat(64);
    private static final int DIM = 512;

    @TempDir
    Path dir;
    private final SplittableRandom rnd = new SplittableRandom(7);
    private final List<float[]> probes = new ArrayList<>();

    private GalleryConfig cfg() {
        return GalleryConfig.defaults().withDataDir(dir);
    }

    /** 40 people with 3 templates each; probes are their first templates. */
    private void enrollPeople() {
        List<GalleryStore.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<Template> ts = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                float[] v = RandomTemplates.unit(rnd, DIM);
                if (k == 0) {
                    probes.add(v);
                }
                ts.add(new Template("p" + i, v, "m", SHA, 1, SHA, Instant.EPOCH));
            }
            entries.add(new GalleryStore.Entry(Person.of("p" + i, "P" + i, null), ts));
        }
        try (GalleryStore s = GalleryStore.open(cfg().databaseFile())) {
            s.importEntries(entries, 5);
        }
    }

    private List<String> answers(Gallery g) {
        List<String> out = new ArrayList<>();
        for (float[] p : probes) {
            io.facegate.access.Candidate c = g.best(p);
            out.add(c.personId() + " " + Math.round(c.score() * 1e5));
        }
        return out;
    }

    @Test
    void aSecondStartReadsThePackAndMatchesExactlyAsFromTheRows() {
        enrollPeople();
        List<String> fromRows;
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack(), "no pack yet: the rows are read");
            fromRows = answers(g);
        }
        assertTrue(Files.isRegularFile(TemplatePack.fileFor(cfg().databaseFile())), "the load wrote a pack");
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertTrue(g.templatesFromPack(), "the gallery did not change: its pack is read");
            assertEquals(120, g.templateCount());
            assertEquals(fromRows, answers(g));
            assertEquals("p0", g.best(probes.get(0)).personId());
        }
    }

    @Test
    void aStalePackIsNeverUsedAndARemovedPersonStaysRemoved() throws Exception {
        enrollPeople();
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertEquals("p3", g.best(probes.get(3)).personId());
        }
        Path pack = TemplatePack.fileFor(cfg().databaseFile());
        Path old = dir.resolve("old.pack");
        Files.copy(pack, old);
        try (GalleryStore cli = GalleryStore.open(cfg().databaseFile())) {
            cli.removePerson("p3");
        }
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack(), "the gallery changed: the pack of its old state is not used");
            assertNotEquals("p3", g.best(probes.get(3)).personId());
            assertEquals(117, g.templateCount());
        }
        // the pack of the old state put back (a restored backup, a tampered file): still not used
        Files.copy(old, pack, StandardCopyOption.REPLACE_EXISTING);
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack());
            assertNotEquals("p3", g.best(probes.get(3)).personId(), "p3 was removed and stays removed");
        }
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertTrue(g.templatesFromPack(), "the previous load wrote a pack of the current state");
            assertNotEquals("p3", g.best(probes.get(3)).personId());
            assertEquals(117, g.templateCount());
        }
    }

    @Test
    void aDamagedOrTruncatedPackIsIgnored() throws Exception {
        enrollPeople();
        List<String> expected;
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            expected = answers(g);
        }
        Path pack = TemplatePack.fileFor(cfg().databaseFile());
        byte[] bytes = Files.readAllBytes(pack);
        bytes[100] ^= 0x40; // one bit of a template
        Files.write(pack, bytes);
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack(), "a flipped bit fails the checksum");
            assertEquals(expected, answers(g));
        }
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack(), "half a pack");
            assertEquals(expected, answers(g));
        }
        Files.writeString(pack, "not a pack");
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack());
            assertEquals(expected, answers(g));
        }
    }

    @Test
    void aPackOfTheOtherMatrixFormIsNotUsed() {
        enrollPeople();
        List<String> int8;
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            int8 = answers(g);
        }
        List<String> float32;
        try (Gallery g = Gallery.open(cfg().withMatcher(cfg().simd(), false), "m", SHA)) {
            assertFalse(g.templatesFromPack(), "the pack holds the int8 form only");
            float32 = answers(g);
        }
        try (Gallery g = Gallery.open(cfg().withMatcher(cfg().simd(), false), "m", SHA)) {
            assertTrue(g.templatesFromPack(), "the float32 form was packed");
            assertEquals(float32, answers(g));
        }
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertFalse(g.templatesFromPack());
            assertEquals(int8, answers(g));
        }
    }

    @Test
    void aPackOfAnotherModelIsNotUsed() {
        enrollPeople();
        try (Gallery g = Gallery.open(cfg(), "m", SHA)) {
            assertEquals(120, g.templateCount());
        }
        try (Gallery g = Gallery.open(cfg(), "other", "f".repeat(64))) {
            assertFalse(g.templatesFromPack());
            assertEquals(0, g.templateCount(), "templates of another model are never compared");
        }
    }
}

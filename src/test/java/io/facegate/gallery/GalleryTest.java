package io.facegate.gallery;

import io.facegate.config.ConfigException;
import io.facegate.config.GalleryConfig;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GalleryTest {
    private static final String SHA = "e".repeat(64);

    @Test
    void daemonPicksUpChangesMadeByTheCli(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(21);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        float[] v = RandomTemplates.unit(rnd, 512);
        try (Gallery daemon = Gallery.open(cfg, "m", SHA)) {
            assertFalse(daemon.reloadIfChanged());
            try (GalleryStore cli = GalleryStore.open(cfg.databaseFile())) {
                cli.enroll(Person.of("carl", "Carl", null),
                        List.of(new Template("carl", v, "m", SHA, 1, SHA, Instant.now())), false, 5);
            }
            assertTrue(daemon.find("carl").isEmpty());
            assertTrue(daemon.reloadIfChanged());
            assertEquals("carl", daemon.best(v).personId());
            try (GalleryStore cli = GalleryStore.open(cfg.databaseFile())) {
                cli.putPerson(cli.person("carl").orElseThrow().withEnabled(false));
            }
            assertTrue(daemon.reloadIfChanged());
            assertFalse(daemon.find("carl").orElseThrow().enabled());
            assertEquals(daemon.version(), 2);
        }
    }

    @Test
    void withoutTheVectorModuleTheScalarMatcherIsUsed() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FallbackChild.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("kernel=scalar best=a"), out);
    }

    @Test
    void configFromYamlWithDefaultsAndClearErrors() throws Exception {
        GalleryConfig d = GalleryConfig.defaults();
        assertEquals(Path.of("/var/lib/facegate"), d.dataDir());
        assertEquals(5, d.maxTemplatesPerPerson());
        assertEquals(0.41, d.threshold());
        assertEquals(d.threshold(), d.duplicateThreshold());
        GalleryConfig c = Yaml.mapper().readValue("data_dir: /tmp/x\nthreshold: 0.5\nint8: false\n",
                GalleryConfig.class);
        assertEquals(Path.of("/tmp/x"), c.dataDir());
        assertEquals(0.5, c.duplicateThreshold(), "follows the threshold unless set");
        assertFalse(c.int8());
        assertEquals(d.minSharpness(), c.minSharpness());
        ConfigException e = assertThrows(ConfigException.class,
                () -> new GalleryConfig(null, 0, null, null, null, null, null, null, null, null, null, null));
        assertTrue(e.getMessage().startsWith("gallery.max_template"), e.getMessage());
        assertThrows(Exception.class, () -> Yaml.mapper().readValue("treshold: 0.5\n", GalleryConfig.class));
    }
}

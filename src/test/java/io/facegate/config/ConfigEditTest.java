package io.facegate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One key of access: set by editing its line, the rest of the file kept, a backup made, nothing invalid written. */
class ConfigEditTest {
    private static final String FILE = """
            # the door at the back
            vision:
              models_dir: models   # beside the jar
            access:
              # who is let in
              target_fpir: 1.0e-4
              liveness_threshold: 0.5            # minimum mean live probability
              cooldown_ms: 10000
            mqtt:
              enabled: false
            """;

    @Test
    void replacesTheValueKeepingCommentsAndTheRest(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("facegate.yml");
        Files.writeString(f, FILE);
        Path backup = ConfigEdit.setAccessKey(f, "liveness_threshold", "0.1234",
                c -> c.access().livenessThreshold() == 0.1234);
        assertEquals(FILE, Files.readString(backup));
        assertEquals(FILE.replace("liveness_threshold: 0.5            #", "liveness_threshold: 0.1234         #"),
                Files.readString(f));
        assertEquals(0.1234, ConfigLoader.load(f).access().livenessThreshold());
    }

    @Test
    void addsTheKeyUnderAccessOrAddsTheSection() {
        String noKey = FILE.replace("  liveness_threshold: 0.5            # minimum mean live probability\n", "");
        String edited = ConfigEdit.edit(noKey, "liveness_threshold", "0.3");
        assertTrue(edited.contains("access:\n  liveness_threshold: 0.3\n  # who is let in\n"), edited);
        assertEquals(0.3, ConfigLoader.parse(edited).access().livenessThreshold());

        String noSection = "vision:\n  models_dir: models\n";
        String added = ConfigEdit.edit(noSection, "liveness_threshold", "0.3");
        assertEquals(noSection + "access:\n  liveness_threshold: 0.3\n", added);
        assertEquals(0.3, ConfigLoader.parse(added).access().livenessThreshold());
        // a key of another section with the same name is not touched
        String nested = "access:\n  schedules:\n    staff:\n      - {days: [MON], from: '08:00', to: '18:00'}\n";
        assertEquals(0.3, ConfigLoader.parse(ConfigEdit.edit(nested, "liveness_threshold", "0.3")).access()
                .livenessThreshold());
    }

    @Test
    void aValueTheLoaderRefusesChangesNothing(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("facegate.yml");
        Files.writeString(f, FILE);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigEdit.setAccessKey(f,
                "liveness_threshold", "1.5", c -> true));
        assertTrue(e.getMessage().contains("liveness_threshold"), e.getMessage());
        assertEquals(FILE, Files.readString(f));
        assertFalse(Files.exists(dir.resolve("facegate.yml.bak")));

        Files.writeString(f, "access: {liveness_threshold: 0.5}\n");
        assertThrows(ConfigException.class, () -> ConfigEdit.setAccessKey(f, "liveness_threshold", "0.2",
                c -> c.access().livenessThreshold() == 0.2));
        assertEquals("access: {liveness_threshold: 0.5}\n", Files.readString(f));
    }
}

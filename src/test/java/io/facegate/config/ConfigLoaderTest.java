package io.facegate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ConfigLoader}: every problem is one {@link ConfigException} whose message names the key or the line. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("facegate.yml"), yaml);
    }

    private String error(String yaml) throws Exception {
        Path f = file(yaml);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(f)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    @Test
    void emptyOrCommentOnlyFileIsTheDefaults() throws Exception {
        assertEquals(FacegateConfig.defaults(), ConfigLoader.load(file("")));
        assertEquals(FacegateConfig.defaults(), ConfigLoader.load(file("# nothing set yet\n\n")));
        assertEquals(FacegateConfig.defaults(), ConfigLoader.load(file("door:\nmqtt:\n")));
        assertEquals(FacegateConfig.defaults(), ConfigLoader.parse(""));
    }

    @Test
    void unknownKeyIsNamedWithItsSectionAndLine() throws Exception {
        assertContains(error("door:\n  unlok_ms: 5\n"), "door.unlok_ms", "line 2", "unlock_ms");
        assertContains(error("doors:\n  unlock_ms: 5\n"), "doors");
        assertContains(error("mqtt:\n  home_assistant:\n    enable: true\n"), "mqtt.home_assistant.enable");
    }

    @Test
    void badValuesNameTheKey() throws Exception {
        assertContains(error("door:\n  unlock_ms: -1\n"), "door.unlock_ms");
        assertContains(error("vision:\n  providers: [gpu]\n"), "vision.providers", "gpu");
        assertContains(error("door:\n  unlock_ms: soon\n"), "door.unlock_ms");
        assertContains(error("camera:\n  type: usb\n"), "camera.type");
        assertContains(error("access:\n  schedules:\n    staff:\n      - {days: [MON], from: \"25:00\", to: \"18:00\"}\n"),
                "access.schedules[].from", "25:00");
        assertContains(error("door:\n  provider: gpiod\n"), "door.lock_type");
    }

    @Test
    void invalidYamlGivesALineNumber() throws Exception {
        assertContains(error("door:\n\tunlock_ms: 5000\n"), "not valid YAML", "line 2", "TAB");
        assertContains(error("door:\n  unlock_ms: 5\n door: x\n"), "not valid YAML", "line 3");
        assertContains(error("door:\n  unlock_ms: \"5000\n"), "not valid YAML", "line 3");
        assertContains(error("vision:\n  providers: [cpu\n"), "not valid YAML", "line 3");
    }

    @Test
    void keysAreFoundOnTheirLine() throws Exception {
        String yaml = "vision:\n  providers: [cpu]\n\ndoor:\n  unlock_ms: -1\n  held_open_ms: 5\ncamera:\n  fps: 3\n";
        assertContains(error(yaml), "door.unlock_ms", "(line 5)");
        assertContains(error("door:\n  unlok_ms: 5\n  held_open_ms: 5\n"), "door.unlok_ms", "(line 2)");
        assertContains(error("door:\n  unlock_ms: soon\n"), "door.unlock_ms", "(line 2)");
    }

    /** Values that used to pass and would fail late, silently change meaning, or open the door for strangers. */
    @Test
    void nonsenseIsRefusedNamingTheKey() throws Exception {
        assertContains(error("gallery:\n  threshold: 0\n"), "gallery.threshold");
        assertContains(error("gallery:\n  threshold: -0.2\n"), "gallery.threshold");
        assertContains(error("gallery:\n  data_dir: \"\"\n"), "gallery.data_dir");
        assertContains(error("vision:\n  models_dir: \"\"\n"), "vision.models_dir");
        assertContains(error("mqtt:\n  state_path: \" \"\n"), "mqtt.state_path");
        assertContains(error("mqtt:\n  ca_file: \"\"\n"), "mqtt.ca_file");
        assertContains(error("mqtt:\n  admin_public_keys: [~]\n"), "mqtt.admin_public_keys");
        assertContains(error("mqtt:\n  admin_public_keys: [\"\"]\n"), "mqtt.admin_public_keys");
        assertContains(error("door:\n  linuxfs_path: \"\"\n"), "door.linuxfs_path");
        assertContains(error("door:\n  pigpio_host: \"\"\n"), "door.pigpio_host");
        // '' is not "the default", and 2.5 is not 2
        assertContains(error("door:\n  unlock_ms: \"\"\n"), "door.unlock_ms");
        assertContains(error("door:\n  held_open_ms: 2.5\n"), "door.held_open_ms");
        assertContains(error("camera:\n  type: \"\"\n"), "camera.type");
        // an empty value (YAML null) still means "not set"
        assertEquals(FacegateConfig.defaults(), ConfigLoader.parse("door:\n  unlock_ms:\nmqtt:\n  ca_file:\n"));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.yml");
        assertContains(assertThrows(ConfigException.class, () -> ConfigLoader.load(missing)).getMessage(),
                missing.toString(), "not found");
        assertContains(assertThrows(ConfigException.class, () -> ConfigLoader.load(dir)).getMessage(),
                dir.toString());
    }
    /** A key given twice used to pass with the last value winning (unlock_ms: 600000 kept the door open 10 min). */
    @Test
    void duplicateKeyIsAnErrorNamingTheKeyAndBothLines() throws Exception {
        String yaml = "door:\n  unlock_ms: 3000\n  held_open_ms: 20000\n  unlock_ms: 600000\n";
        assertContains(error(yaml), "door.unlock_ms", "given twice", "line 2", "line 4");
        assertContains(error("vision:\n  providers: [cpu]\nvision:\n  intra_op_threads: 2\n"),
                "'vision'", "given twice", "line 1", "line 3");
        assertContains(assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("camera:\n  fps: 5\n  fps: 6\n")).getMessage(), "camera.fps", "line 3");
    }
}

package io.facegate.door;

import io.facegate.config.AccessConfig;
import io.facegate.config.ConfigException;
import io.facegate.config.DoorConfig;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The door and access sections: defaults, validation messages naming the key, and the docs' YAML snippet. */
class DoorConfigTest {

    private static Exception parseError(Class<?> type, String yaml) {
        Exception e = assertThrows(Exception.class, () -> Yaml.mapper().readValue(yaml, type));
        Throwable c = e;
        while (c != null && !(c instanceof ConfigException)) {
            c = c.getCause();
        }
        return c == null ? e : (Exception) c;
    }

    @Test
    void doorDefaultsAreTheMockAndFailSecure() {
        DoorConfig d = DoorConfig.defaults();
        assertEquals("mock", d.provider());
        assertEquals("fail-secure", d.lockType());
        assertFalse(d.lockedEnergised());
        assertEquals(5000, d.unlockMs());
        assertEquals(30_000, d.heldOpenMs());
        assertTrue(d.relockOnClose());
        assertEquals(DoorConfig.NOT_WIRED, d.holdOpenPin());
    }

    @Test
    void realHardwareNeedsLockTypeAndPolarityWrittenOut() {
        Exception e = parseError(DoorConfig.class, "provider: gpiod\nrelay_polarity: active-low\n");
        assertTrue(e.getMessage().startsWith("door.lock_type:"), e.getMessage());
        e = parseError(DoorConfig.class, "provider: gpiod\nlock_type: fail-safe\n");
        assertTrue(e.getMessage().startsWith("door.relay_polarity:"), e.getMessage());
    }

    @Test
    void doorValidationNamesTheKey() {
        assertTrue(parseError(DoorConfig.class, "unlock_ms: 0").getMessage().startsWith("door.unlock_ms:"));
        assertTrue(parseError(DoorConfig.class, "lock_type: fail-open").getMessage().startsWith("door.lock_type:"));
        assertTrue(parseError(DoorConfig.class, "provider: wiringpi").getMessage().startsWith("door.provider:"));
        assertTrue(parseError(DoorConfig.class, "contact_pin: 17").getMessage().contains("used twice"));
        assertTrue(parseError(DoorConfig.class, "relay_pin: -1").getMessage().startsWith("door.relay_pin:"));
        assertTrue(parseError(DoorConfig.class, "unlock_ms: 10000\nmax_unlock_ms: 5000").getMessage()
                .startsWith("door.max_unlock_ms:"));
        assertNotNull(parseError(DoorConfig.class, "unlok_ms: 3000"), "a typo is an error, not a default");
    }

    @Test
    void accessDefaults() {
        AccessConfig a = AccessConfig.defaults();
        assertEquals(2, a.minFrames());
        assertEquals(5, a.maxFrames());
        assertEquals(1500, a.windowMs());
        assertEquals(1e-4, a.targetFpir());
        assertTrue(a.livenessEnabled());
        assertEquals(0.5, a.livenessThreshold());
        assertFalse(a.defaultAlways(), "fail closed: no schedule entry means never");
    }

    @Test
    void accessValidationNamesTheKey() {
        assertTrue(parseError(AccessConfig.class, "min_frames: 1").getMessage().startsWith("access.min_frames:"),
                "one frame never unlocks");
        assertTrue(parseError(AccessConfig.class, "min_frames: 4\nmax_frames: 3").getMessage()
                .startsWith("access.max_frames:"));
        assertTrue(parseError(AccessConfig.class, "target_fpir: 0").getMessage().startsWith("access.target_fpir:"));
        assertTrue(parseError(AccessConfig.class, "target_fpir: 0.1").getMessage().startsWith("access.target_fpir:"),
                "one stranger in ten is no door");
        assertTrue(parseError(AccessConfig.class, "time_zone: Mars/Olympus").getMessage()
                .startsWith("access.time_zone:"));
        assertTrue(parseError(AccessConfig.class, "default_schedule: sometimes").getMessage()
                .startsWith("access.default_schedule:"));
        assertTrue(parseError(AccessConfig.class, "liveness_threshold: 1.5").getMessage()
                .startsWith("access.liveness_threshold:"));
    }

    /** The YAML in docs/door.md must stay loadable: it is what installers copy. */
    @Test
    void theDocumentedSnippetsParse() throws Exception {
        Path doc = Path.of("docs/door.md");
        assertTrue(Files.exists(doc), "docs/door.md");
        String md = Files.readString(doc);
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(md);
        int parsed = 0;
        while (m.find()) {
            var tree = Yaml.mapper().readTree(m.group(1));
            if (tree.has("door")) {
                Yaml.mapper().treeToValue(tree.get("door"), DoorConfig.class);
                parsed++;
            }
            if (tree.has("access")) {
                AccessConfig a = Yaml.mapper().treeToValue(tree.get("access"), AccessConfig.class);
                parsed++;
                if (a.schedules().containsKey("staff")) {
                    assertEquals(Set.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
                            DayOfWeek.THURSDAY, DayOfWeek.FRIDAY), a.schedules().get("staff").get(0).daySet());
                }
            }
        }
        assertTrue(parsed >= 3, "door.md has the Pi, the Jetson and the access snippets (" + parsed + ")");
    }
}

package io.facegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.facegate.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code deploy/facegate.yml}, the configuration installed as /etc/facegate/facegate.yml: it loads, documents every
 * key of every section, spells out the defaults except where a real door needs an explicit value, and passes
 * {@code facegate run --check}. Surefire runs tests from the repository root, where the file is.
 */
class DeployConfigTest {
    static final Path DEPLOY = Path.of("deploy/facegate.yml");
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    @Test
    void loadsWithTheProductionValuesADoorNeeds() {
        FacegateConfig c = ConfigLoader.load(DEPLOY);
        assertEquals(Path.of("/opt/facegate/models"), c.vision().modelsDir());
        assertEquals(Path.of("/var/lib/facegate"), c.gallery().dataDir());
        assertTrue(Path.of(c.mqtt().statePath()).startsWith("/var/lib/facegate"), c.mqtt().statePath());
        assertEquals("gpiod", c.door().provider());
        assertEquals("never", c.access().defaultSchedule(), "people outside the listed groups stay out");
        var staff = c.access().schedules().get("staff");
        assertEquals(Set.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY,
                DayOfWeek.FRIDAY), staff.get(0).daySet());
        assertEquals(LocalTime.of(7, 0), staff.get(0).fromTime());
        assertEquals(LocalTime.of(19, 0), staff.get(0).toTime());
    }

    /** Every other value is the default, so the file doubles as the reference of the defaults. */
    @Test
    void everyOtherValueIsTheDefault() throws Exception {
        FacegateConfig c = ConfigLoader.load(DEPLOY);
        FacegateConfig d = FacegateConfig.defaults();
        assertEquals(d.vision().withModelsDir(Path.of("/opt/facegate/models")), c.vision());
        assertEquals(d.gallery(), c.gallery());
        assertEquals(d.camera(), c.camera());
        assertEquals(d.pipeline(), c.pipeline());
        assertSameExcept(d.door(), c.door(), Set.of("provider"));
        assertSameExcept(d.access(), c.access(), Set.of("schedules"));
        assertSameExcept(d.mqtt(), c.mqtt(), Set.of("statePath"));
    }

    @Test
    void documentsEveryKeyOfEverySection() throws Exception {
        JsonNode tree = Yaml.mapper().readTree(DEPLOY.toFile());
        List<String> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        walk(FacegateConfig.class, tree, "", present, missing);
        assertEquals(List.of(), missing, "keys missing from " + DEPLOY);
        // the walk really went everywhere, nested records and map/list elements included
        assertTrue(present.contains("access.schedules.staff[0].from"), present.toString());
        assertTrue(present.contains("mqtt.home_assistant.allow_unsigned_unlock"), present.toString());
        assertTrue(present.contains("door.pigpio_port"), present.toString());
        assertTrue(present.size() > 100, "only " + present.size() + " keys found");
    }

    /** The deploy file, with its device paths moved to where this machine has the models and a writable folder. */
    @Test
    void runCheckAcceptsTheDeployFile(@TempDir Path dir) throws Exception {
        Path installed = dir.resolve("facegate.yml");
        Files.writeString(installed, Files.readString(DEPLOY)
                .replace("/opt/facegate/models", io.facegate.TestData.models().toAbsolutePath().toString())
                .replace("/var/lib/facegate", dir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "run", "--config", installed.toString(), "--check");
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        assertTrue(out.toString().contains("models, keys and paths checked"), out.toString());
    }

    /** --check looks at the paths too: where nothing is installed it says which folder is missing. */
    @Test
    void runCheckNamesAMissingModelsFolder(@TempDir Path dir) throws Exception {
        Path installed = dir.resolve("facegate.yml");
        Files.writeString(installed, Files.readString(DEPLOY)
                .replace("/opt/facegate/models", dir.resolve("no-models").toString())
                .replace("/var/lib/facegate", dir.toString()));
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "run", "--config", installed.toString(), "--check"));
        assertTrue(err.toString().contains("vision.models_dir: folder " + dir.resolve("no-models")
                + " does not exist"), err.toString());
    }

    @Test
    void runCheckRejectsABrokenFileNamingTheKey(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("facegate.yml");
        Files.writeString(broken, Files.readString(DEPLOY).replace("  unlock_ms: 5000", "  unlock_ms: -1"));
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "run", "--config", broken.toString(), "--check"));
        assertTrue(err.toString().contains("door.unlock_ms"), err.toString());

        Files.writeString(broken, "door:\n  unlok_ms: 5\n");
        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "run", "--config", broken.toString(), "--check"));
        assertTrue(err.toString().contains("unlok_ms"), err.toString());
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    /**
     * Records every YAML path of {@code type} (record components in Jackson's snake_case, nested records, the
     * first element of lists and maps of records) as present in {@code node} or missing from it.
     */
    private static void walk(Type type, JsonNode node, String path, List<String> present, List<String> missing) {
        if (type instanceof Class<?> c && c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                String key = SNAKE.translate(rc.getName());
                String p = path.isEmpty() ? key : path + "." + key;
                if (node == null || !node.has(key)) {
                    missing.add(p);
                } else {
                    present.add(p);
                    walk(rc.getGenericType(), node.get(key), p, present, missing);
                }
            }
        } else if (type instanceof ParameterizedType pt && holdsRecords(pt)) {
            Class<?> raw = (Class<?>) pt.getRawType();
            if (Collection.class.isAssignableFrom(raw)) {
                if (node.isArray() && !node.isEmpty()) {
                    walk(pt.getActualTypeArguments()[0], node.get(0), path + "[0]", present, missing);
                } else {
                    missing.add(path + "[0] (an example entry)");
                }
            } else if (Map.class.isAssignableFrom(raw)) {
                if (node.isObject() && !node.isEmpty()) {
                    String first = node.fieldNames().next();
                    walk(pt.getActualTypeArguments()[1], node.get(first), path + "." + first, present, missing);
                } else {
                    missing.add(path + ".<entry> (an example entry)");
                }
            }
        }
    }

    private static boolean holdsRecords(Type t) {
        if (t instanceof Class<?> c) {
            return c.isRecord();
        }
        if (t instanceof ParameterizedType pt) {
            for (Type a : pt.getActualTypeArguments()) {
                if (holdsRecords(a)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void assertSameExcept(Record expected, Record actual, Set<String> except) throws Exception {
        for (RecordComponent rc : expected.getClass().getRecordComponents()) {
            if (!except.contains(rc.getName())) {
                assertEquals(rc.getAccessor().invoke(expected), rc.getAccessor().invoke(actual),
                        expected.getClass().getSimpleName() + "." + rc.getName());
            }
        }
    }
}

package io.facegate.mqtt;

import io.facegate.cli.Main;
import io.facegate.config.ConfigException;
import io.facegate.config.ConfigLoader;
import io.facegate.config.MqttConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A door told to take part in fleet sync refuses to start without a readable fleet key, and says which file. */
class FleetKeyRequiredTest {
    private static final Path DEPLOY = Path.of("deploy/facegate.yml");

    @TempDir
    Path dir;

    private MqttConfig door(String fleetKeyFile) {
        return new MqttConfig(true, "tcp://127.0.0.1:1", "door-k", "facegate", null, null, null, null, null, 5, 100L,
                1000L, dir.resolve("door-k-mqtt.db").toString(), 100, List.of(), 1 << 20, 60, 1, null, null)
                .withFleetKey(fleetKeyFile);
    }

    @Test
    void syncWithoutAKeyFileIsAConfigurationError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("mqtt:\n  fleet_sync: true\n"));
        assertTrue(e.getMessage().contains("mqtt.fleet_key_file") && e.getMessage().contains("fleet_sync"),
                e.getMessage());
    }

    @Test
    void theDoorDoesNotStartWithAMissingOrOpenKeyFile() throws Exception {
        Path missing = dir.resolve("fleet.key");
        IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
                () -> new MqttDoor(door(missing.toString()), null, DeviceHealth::unknown, Clock.systemUTC()));
        assertTrue(absent.getMessage().contains("fleet key file " + missing + " does not exist"), absent.getMessage());

        FleetKeyRing.create().save(missing);
        Files.setPosixFilePermissions(missing, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                () -> new MqttDoor(door(missing.toString()), null, DeviceHealth::unknown, Clock.systemUTC()));
        assertTrue(open.getMessage().contains("readable by others"), open.getMessage());

        Files.setPosixFilePermissions(missing, PosixFilePermissions.fromString("rw-------"));
        try (MqttDoor ok = new MqttDoor(door(missing.toString()), null, DeviceHealth::unknown, Clock.systemUTC())) {
            assertEquals("no_manifest", ok.fleetSyncStatus().get("state"), "a door with its key waits for a manifest");
        }
    }

    /** {@code facegate run --check} on the deploy file with sync on and the key absent: exit 2, naming the key. */
    @Test
    void runCheckNamesTheMissingFleetKey() throws Exception {
        Path installed = dir.resolve("facegate.yml");
        Path key = dir.resolve("door-1.fleet.key");
        Files.writeString(installed, Files.readString(DEPLOY)
                .replace("/opt/facegate/models", io.facegate.TestData.models().toAbsolutePath().toString())
                .replace("/var/lib/facegate", dir.toString())
                .replace("  fleet_sync: false", "  fleet_sync: true")
                .replace("  fleet_key_file:   ", "  fleet_key_file: " + key));
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(err, true));
        assertEquals(2, cmd.execute("run", "--config", installed.toString(), "--check"));
        assertTrue(err.toString().contains("mqtt.fleet_key_file") && err.toString().contains(key.toString()),
                err.toString());

        FleetKeyRing.create().save(key);
        err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        assertEquals(0, cmd.execute("run", "--config", installed.toString(), "--check"), err.toString());
    }
}

package io.facegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.config.Yaml;
import io.facegate.mqtt.AdminKeys;
import io.facegate.mqtt.TestDoorAccess;
import io.facegate.mqtt.TestBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code facegate admin ...} end to end against the embedded broker and two doors running the production command
 * handler (real gallery, enroller and door controller on Pi4J's mock provider).
 */
class AdminCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, List<JsonNode> lines) {
    }

    static Run run(String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new AdminCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        } finally {
            System.setOut(old);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String l : buf.toString(StandardCharsets.UTF_8).split("\n")) {
            if (l.startsWith("{")) {
                lines.add(Yaml.jsonMapper().readTree(l));
            }
        }
        return new Run(exit, lines);
    }

    @Test
    void keygenSignsCommandsThatDoorsAccept() throws Exception {
        String prefix = dir.resolve("keys/admin").toString();
        Run kg = run("keygen", "--out", prefix);
        assertEquals(0, kg.exit());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(prefix + ".key"))));
        String pub = Files.readString(Path.of(prefix + ".pub"));
        assertEquals(kg.lines().get(0).get("key_id").asText(), AdminKeys.keyId(AdminKeys.decodePublic(pub, "pub")));

        try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("broker"));
             TestDoorAccess a = TestDoorAccess.start(broker.uri(), "door-a", dir, Path.of(prefix + ".pub"));
             TestDoorAccess b = TestDoorAccess.start(broker.uri(), "door-b", dir, Path.of(prefix + ".pub"))) {
            String[] conn = {"--broker", broker.uri(), "--key", prefix + ".key", "--door-keys", dir.toString(),
                    "--fleet-key", TestDoorAccess.fleetKeyFile(dir).toString()};
            // a door fetches a fleet change's record when the manifest names it; a fetch the broker drops is retried
            // after FleetSync.BATCH_TIMEOUT + RETRY_MIN (7 s), which the CLI's default 10 s leaves no room for under
            // load (failed once: Moquette lost door-b's record subscription, door-b replied after the retry)
            String[] fleetWait = {"--timeout", "30"};
            Run unlock = run(cat(new String[] {"unlock", "--device", "door-a", "--seconds", "3"}, conn));
            assertEquals(0, unlock.exit(), unlock.lines().toString());
            assertTrue(unlock.lines().get(0).get("ok").asBoolean());
            assertTrue(a.unlocked(), "the signed unlock opened door-a's relay");

            Path photo = dir.resolve("face.png");
            Files.write(photo, TestDoorAccess.photo(3));
            Run enroll = run(cat(new String[] {"enroll", "--fleet", "--via", "door-a", "--person", "ada",
                    "--name", "Ada", "--group", "staff", "--photo", photo.toString()}, cat(fleetWait, conn)));
            assertEquals(0, enroll.exit(), enroll.lines().toString());
            assertEquals(2, enroll.lines().size(), "one reply per online door: " + enroll.lines());
            assertEquals(1, a.persons());
            assertEquals(1, b.persons());
            assertEquals("Ada", b.nameOf("ada"));

            Run update = run(cat(new String[] {"update", "--fleet", "--person", "ada", "--name", "Ada L."}, cat(fleetWait, conn)));
            assertEquals(0, update.exit(), update.lines().toString());
            assertEquals("Ada L.", a.nameOf("ada"));
            assertEquals("Ada L.", b.nameOf("ada"));

            Run lock = run(cat(new String[] {"lockdown", "on", "--fleet"}, cat(fleetWait, conn)));
            assertEquals(0, lock.exit(), lock.lines().toString());
            Run refused = run(cat(new String[] {"unlock", "--device", "door-b"}, conn));
            assertEquals(1, refused.exit(), "an unlock in lockdown is refused: exit 1");
            assertEquals("refused", refused.lines().get(0).get("code").asText(), refused.lines().toString());
            assertTrue(refused.lines().get(0).get("message").asText().contains("lockdown"));

            Run remove = run(cat(new String[] {"remove", "--fleet", "--person", "ada"}, cat(fleetWait, conn)));
            assertEquals(0, remove.exit(), remove.lines().toString());
            assertEquals(0, a.persons());
            assertEquals(0, b.persons());

            Run timeout = run(cat(new String[] {"unlock", "--device", "door-z", "--timeout", "1"}, conn));
            assertEquals(1, timeout.exit());
            assertEquals("timeout", timeout.lines().get(0).get("code").asText());

            java.util.concurrent.CompletableFuture<Run> tail = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return run("events", "--broker", broker.uri(), "--device", "door-a", "--count", "2",
                            "--timeout", "20");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1500); // events are not retained: the tail sees what is produced while it listens
            a.event("door_opened");
            a.event("door_closed");
            Run events = tail.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, events.exit());
            assertEquals(List.of("door_opened", "door_closed"),
                    events.lines().stream().map(n -> n.get("type").asText()).toList());
            assertTrue(events.lines().get(1).get("seq").asLong() > events.lines().get(0).get("seq").asLong());
        }
    }

    @Test
    void aForgedOkForAStoppedDoorIsAnErrorAndExitsNonZero() throws Exception {
        String prefix = dir.resolve("keys/admin").toString();
        assertEquals(0, run("keygen", "--out", prefix).exit());
        try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("broker"))) {
            // door-1 ran once (so its key is known to the admin) and is stopped now
            TestDoorAccess.start(broker.uri(), "door-1", dir, Path.of(prefix + ".pub")).close();
            try (MqttClient forger = new MqttClient(broker.uri(), "forger", new MemoryPersistence())) {
                forger.connect();
                forger.subscribe("facegate/door-1/cmd", 1, (topic, msg) -> {
                    String id = Yaml.jsonMapper().readTree(msg.getPayload()).get("id").asText();
                    String fake = "{\"command_id\":\"" + id + "\",\"device\":\"door-1\",\"ok\":true,"
                            + "\"code\":\"ok\",\"message\":\"removed\"}";
                    new Thread(() -> {
                        try {
                            forger.publish("facegate/door-1/reply", fake.getBytes(StandardCharsets.UTF_8), 1, false);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).start();
                });
                Run remove = run("remove", "--device", "door-1", "--person", "ada", "--timeout", "3",
                        "--broker", broker.uri(), "--key", prefix + ".key", "--door-keys", dir.toString());
                assertEquals(1, remove.exit(), remove.lines().toString());
                assertEquals(1, remove.lines().size(), remove.lines().toString());
                assertEquals("unverified_reply", remove.lines().get(0).get("code").asText());
                forger.disconnect();
            }
        }
    }

    @Test
    void aPersonIdOutsideTheGalleryRuleIsRefusedBeforeAnythingIsSent() throws Exception {
        String prefix = dir.resolve("keys/admin").toString();
        assertEquals(0, run("keygen", "--out", prefix).exit());
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new AdminCommand()).execute("remove", "--device", "door-1", "--person", "a/b",
                    "--broker", "tcp://127.0.0.1:1", "--key", prefix + ".key", "--door-keys", dir.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("person id 'a/b' is invalid"), err.toString());
    }

    private static String[] cat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

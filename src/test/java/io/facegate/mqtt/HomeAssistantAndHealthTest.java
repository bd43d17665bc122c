package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.config.MqttConfig;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retained discovery configs (republished when Home Assistant says online), availability from the status topic,
 * retained health and door state, and {@code offline} on a clean shutdown. An unsigned Home Assistant unlock leaves
 * the real door controller locked by default; the same message opens a door configured with
 * {@code allow_unsigned_unlock} and a signed unlock opens the default one, so the test watches a live path.
 */
class HomeAssistantAndHealthTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void discoveryHealthAndStatus(TestBroker.Kind kind) throws Exception {
        KeyPair admin = AdminKeys.generate();
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             TestDoor open = new TestDoor(broker.uri(), "door-open", dir, List.of(admin), 1 << 20,
                     new MqttConfig.HomeAssistant(true, null, true)).start().awaitConnected();
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)),
                     Clock.systemUTC())) {
            TestDoor door = new TestDoor(broker.uri(), "door-1", dir, List.of(admin), 1 << 20,
                    new MqttConfig.HomeAssistant(true, null, null)).start().awaitConnected();
            try (Subscriber rx = new Subscriber(broker.uri(), "ha-" + kind, "homeassistant/+/+/+/config",
                    "facegate/door-1/health", "facegate/door-1/door", "facegate/door-1/status")) {
                assertTrue(rx.await(l -> configs(l).size() >= 5, 10_000), "5 discovery configs");
                List<JsonNode> cfgs = configs(rx.all());
                Set<String> components = new TreeSet<>();
                for (JsonNode c : cfgs) {
                    assertEquals("facegate/door-1/status", c.get("availability_topic").asText());
                    components.add(c.get("unique_id").asText());
                }
                assertEquals(Set.of("facegate_door_1_lock", "facegate_door_1_access", "facegate_door_1_contact",
                        "facegate_door_1_fps", "facegate_door_1_gallery"), components);
                JsonNode lock = cfgs.stream().filter(c -> c.get("unique_id").asText().endsWith("_lock"))
                        .findFirst().orElseThrow();
                assertFalse(lock.get("enabled_by_default").asBoolean(), "no unsigned open door by default");

                int before = configs(rx.all()).size();
                try (MqttClient ha = new MqttClient(broker.uri(), "ha-core", new MemoryPersistence())) {
                    ha.connect();
                    ha.publish("homeassistant/status", "online".getBytes(StandardCharsets.UTF_8), 1, false);
                    assertTrue(rx.await(l -> configs(l).size() >= before + 5, 10_000), "republished on HA online");
                    ha.publish("facegate/door-1/ha/lock/set", "UNLOCK".getBytes(StandardCharsets.UTF_8), 1, false);
                    ha.publish("facegate/door-open/ha/lock/set", "UNLOCK".getBytes(StandardCharsets.UTF_8), 1,
                            false);
                    ha.disconnect();
                }
                // the same unsigned message reached a door that listens (allow_unsigned_unlock) and opened it...
                assertTrue(FleetSyncTest.await(open.gallery::unlocked, 10), "door-open did not unlock");
                // ...and left the default door's relay locked, with no unlock in its log
                assertFalse(door.gallery.unlocked(), "the unsigned HA unlock opened door-1");
                assertTrue(door.gallery.doorLog().stream().noneMatch(l -> l.startsWith("UNLOCKED")),
                        door.gallery.doorLog().toString());

                assertTrue(rx.await(l -> l.stream().anyMatch(n -> n.has("uptime_s")), 10_000), "health published");
                JsonNode health = rx.all().stream().filter(n -> n.has("uptime_s")).findFirst().orElseThrow();
                assertEquals(0, health.get("gallery").get("persons").asInt());
                assertEquals(0, health.get("outbox").get("depth").asInt());
                assertEquals(door.gallery.galleryState().contentHash(),
                        health.get("gallery").get("content_hash").asText());
                assertEquals("no_manifest", health.get("gallery").get("sync").get("state").asText(),
                        health.toString());

                door.mqtt.doorState(true, true, false);
                assertTrue(rx.await(l -> l.stream().anyMatch(n -> n.has("locked") && n.get("open").asBoolean()),
                        10_000), "door state published");
                // positive control: a signed unlock opens the same door the unsigned one could not
                JsonNode r = cli.send(cli.sign(CommandKind.UNLOCK, "door-1",
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("seconds", 3),
                        Duration.ofMinutes(1)), Set.of("door-1"), Duration.ofSeconds(10)).get(0);
                assertTrue(r.get("ok").asBoolean(), r.toString());
                assertTrue(door.gallery.unlocked(), "a signed unlock opens door-1");

                door.close();
                assertTrue(rx.await(l -> !l.isEmpty() && "offline".equals(l.get(l.size() - 1).asText()), 10_000),
                        "offline on a clean shutdown");
            }
        }
    }

    private static List<JsonNode> configs(List<JsonNode> all) {
        return all.stream().filter(n -> n.path("unique_id").asText().startsWith("facegate_door_1_")).toList();
    }
}

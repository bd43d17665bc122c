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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retained discovery configs (republished when Home Assistant says online), availability from the status topic,
 * retained health and door state, an unsigned Home Assistant unlock ignored by default, and {@code offline} on a
 * clean shutdown.
 */
class HomeAssistantAndHealthTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void discoveryHealthAndStatus(TestBroker.Kind kind) throws Exception {
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"))) {
            TestDoor door = new TestDoor(broker.uri(), "door-1", dir, List.of(AdminKeys.generate()), 1 << 20,
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
                    ha.disconnect();
                }

                assertTrue(rx.await(l -> l.stream().anyMatch(n -> n.has("uptime_s")), 10_000), "health published");
                JsonNode health = rx.all().stream().filter(n -> n.has("uptime_s")).findFirst().orElseThrow();
                assertEquals(0, health.get("gallery").get("persons").asInt());
                assertEquals(0, health.get("outbox").get("depth").asInt());
                assertEquals(door.gallery.galleryState().contentHash(),
                        health.get("gallery").get("content_hash").asText());

                door.mqtt.doorState(true, true, false);
                assertTrue(rx.await(l -> l.stream().anyMatch(n -> n.has("locked") && n.get("open").asBoolean()),
                        10_000), "door state published");
                assertEquals(List.of(), door.gallery.doorLog(), "the unsigned HA unlock was ignored");

                door.close();
                assertTrue(rx.await(l -> !l.isEmpty() && "offline".equals(l.get(l.size() - 1).asText()), 10_000),
                        "offline on a clean shutdown");
            }
        }
    }

    private static List<JsonNode> configs(List<JsonNode> all) {
        return all.stream().filter(n -> n.has("unique_id")).toList();
    }
}

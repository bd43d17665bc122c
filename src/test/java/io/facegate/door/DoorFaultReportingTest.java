package io.facegate.door;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.config.DoorConfig;
import io.facegate.config.MqttConfig;
import io.facegate.config.Yaml;
import io.facegate.mqtt.CommandResult;
import io.facegate.mqtt.DeviceActions;
import io.facegate.mqtt.DeviceHealth;
import io.facegate.mqtt.EnrollRequest;
import io.facegate.mqtt.GalleryState;
import io.facegate.mqtt.MqttDoor;
import io.facegate.mqtt.PersonUpdate;
import io.facegate.mqtt.TestBroker;
import io.facegate.mqtt.Topics;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A door fault is visible where an operator looks: the retained door state on MQTT (with the reason, and the
 * relay as read back) and the health message; both clear once the relay reads back locked. Wired as the daemon
 * wires it (Facegate: a door listener publishes {@code door.state()}; the health supplier reads it).
 */
class DoorFaultReportingTest {
    @TempDir
    Path dir;

    @Test
    void theFaultAndItsReasonReachTheDoorStateAndTheHealthMessage() throws Exception {
        DoorConfig cfg = DoorRig.parse("");
        ManualTime time = new ManualTime();
        FakeDoorHardware hw = new FakeDoorHardware(cfg.lockedEnergised());
        try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("broker"));
             DoorController door = new DoorController(hw, cfg, time, time)) {
            MqttConfig mc = MqttConfig.defaults().with(broker.uri(), "door-f", dir.resolve("mqtt.db").toString(),
                    List.of());
            Topics topics = new Topics(mc.topicPrefix(), mc.deviceId());
            LinkedBlockingQueue<JsonNode> doorStates = new LinkedBlockingQueue<>();
            try (MqttDoor mqtt = new MqttDoor(mc, new NoActions(),
                    () -> new DeviceHealth(DeviceHealth.OK, 0, Map.of(), "cpu", null, door.state().fault(), null,
                            null), Clock.systemUTC());
                 MqttClient watcher = new MqttClient(broker.uri(), "watcher", new MemoryPersistence())) {
                door.addListener(e -> {
                    DoorState s = door.state();
                    mqtt.doorState(!s.unlocked(), Boolean.TRUE.equals(s.doorOpen()), s.lockdown(), s.fault());
                });
                mqtt.start();
                watcher.connect();
                watcher.subscribe(topics.door(), 1,
                        (t, m) -> doorStates.add(Yaml.jsonMapper().readTree(m.getPayload())));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!mqtt.connected() && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling a condition with a deadline: MqttDoor has no connect callback
                }
                assertTrue(mqtt.connected(), "connected to the test broker");

                door.start();
                assertTrue(door.grant(io.facegate.access.Decision.grant("alice", "Alice", 0.8, 0.9, 1,
                        time.instant())));
                hw.failLock = true;
                time.advanceMillis(cfg.unlockMs()); // the lock fails: fault, relay still unlocked

                JsonNode faulted = await(doorStates, n -> !n.get("fault").isNull());
                assertFalse(faulted.get("locked").asBoolean(), "the relay reads back unlocked: not 'locked'");
                assertTrue(faulted.get("fault").asText().contains("failed to lock"), faulted.toString());
                Map<String, Object> health = mqtt.healthMessage();
                assertTrue(String.valueOf(health.get("door_fault")).contains("failed to lock"), health.toString());

                hw.heal();
                time.advanceMillis(60_000);
                JsonNode cleared = await(doorStates, n -> n.get("fault").isNull());
                assertTrue(cleared.get("locked").asBoolean());
                assertNull(mqtt.healthMessage().get("door_fault"));
                watcher.disconnect();
            }
        }
    }

    private static JsonNode await(LinkedBlockingQueue<JsonNode> q, Predicate<JsonNode> p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            JsonNode n = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(n, "no door state matched within 20 s");
            if (p.test(n)) {
                return n;
            }
        }
    }

    /** The door test needs no admin commands. */
    private static final class NoActions implements DeviceActions {
        private static CommandResult no() {
            return CommandResult.error("unsupported", "not in this test");
        }

        @Override
        public CommandResult enroll(EnrollRequest request) {
            return no();
        }

        @Override
        public CommandResult updatePerson(PersonUpdate update) {
            return no();
        }

        @Override
        public CommandResult removePerson(String personId) {
            return no();
        }

        @Override
        public CommandResult unlock(Duration duration, String by) {
            return no();
        }

        @Override
        public CommandResult lockdown(boolean on, String by) {
            return no();
        }

        @Override
        public GalleryState galleryState() {
            return new GalleryState(0, "none");
        }
    }
}

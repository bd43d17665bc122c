package io.facegate.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.TestData;
import io.facegate.camera.CameraFrame;
import io.facegate.demo.VisitFrameSource;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.config.VisionConfig;
import io.facegate.demo.DemoRun;
import io.facegate.demo.Scenario;
import io.facegate.door.DoorEvent;
import io.facegate.mqtt.EmbeddedBroker;
import io.facegate.mqtt.Topics;
import io.facegate.vision.FacePipeline;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon end to end, configured as an installed door would be, except the hardware: an image-folder camera
 * (configured in YAML, opened through the resilient camera), the real models and gallery, the Pi4J mock relay and
 * a real MQTT broker. Enrolled people are let in, strangers are not, with the matching events and relay pulses.
 */
class EndToEndTest {
    private static final List<String> PEOPLE = List.of("p01", "p02", "p03", "p04");   // p01, p03 enrolled

    @Test
    void enrolledPeopleAreLetInAndStrangersAreNot(@TempDir Path tmp) throws Exception {
        Path faces = TestData.faces("deepface");
        Path models = TestData.models();
        Path dataset = Files.createDirectories(tmp.resolve("people"));
        for (String p : PEOPLE) {
            Files.createSymbolicLink(dataset.resolve(p), faces.resolve(p));
        }
        Path camera = Files.createDirectories(tmp.resolve("camera"));
        Path data = Files.createDirectories(tmp.resolve("data"));

        try (EmbeddedBroker broker = EmbeddedBroker.start(tmp)) {
            FacegateConfig cfg = ConfigLoader.parse(String.join("\n",
                    "vision: {models_dir: '" + models + "'}",
                    "gallery: {data_dir: '" + data + "'}",
                    "access: {default_schedule: always}",
                    "door: {provider: mock, unlock_ms: 500, modes_path: '" + data.resolve("door.modes") + "'}",
                    "camera: {type: folder, path: '" + camera + "', fps: 30, loop: false, realtime: true}",
                    "mqtt: {broker_uri: '" + broker.uri() + "', device_id: door-e2e, state_path: '"
                            + data.resolve("mqtt.db") + "'}", ""));

            // enroll p01 and p03 with their first two photos; every other photo walks up
            Scenario scenario;
            int frames;
            try (FacePipeline vision = FacePipeline.open(VisionConfig.defaults().withModelsDir(models))) {
                scenario = Scenario.fromFolder(dataset, vision);
                DemoRun.Enrolled enrolled = DemoRun.enroll(cfg, vision, scenario);
                assertEquals(Set.of("p01", "p03"), enrolled.people());
                frames = writeCameraFolder(scenario, camera);
            }
            int enrolledVisits = (int) scenario.visitors().stream().filter(Scenario.Visitor::enrolled).count();

            List<JsonNode> events = new CopyOnWriteArrayList<>();
            List<DoorEvent> doorEvents = new CopyOnWriteArrayList<>();
            MqttClient watcher = subscribe(broker, cfg, events);
            EventSink door = new EventSink() {
                @Override
                public void decision(io.facegate.access.Decision d) {
                }

                @Override
                public void door(DoorEvent e) {
                    doorEvents.add(e);
                }

                @Override
                public void system(String type, String detail) {
                }
            };
            Facegate daemon = Facegate.start(cfg, new Facegate.Options(null, door, Clock.systemUTC()));
            try {
                // the folder is played once; its end is reported as a lost camera
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < deadline && events.stream().noneMatch(e -> "camera_lost".equals(type(e)))) {
                    Thread.sleep(100); // polling the received events for a condition, with a deadline
                }
                assertTrue(daemon.metrics().snapshot().framesProcessed() > frames / 2,
                        "most of the " + frames + " frames were processed");
            } finally {
                daemon.close();
            }
            assertFalse(daemon.door().state().unlocked(), "the door is locked after the daemon stops");
            // close() flushed the outbox; wait (with a deadline) until the watcher has every relay pulse too
            long pulses = doorEvents.stream().filter(e -> e.type() == DoorEvent.Type.UNLOCKED).count();
            long flushDeadline = System.nanoTime() + 30_000_000_000L;
            while (events.stream().filter(e -> "door_unlocked".equals(type(e))).count() < pulses
                    && System.nanoTime() < flushDeadline) {
                Thread.sleep(20);
            }
            watcher.disconnect();
            watcher.close();

            List<String> granted = new ArrayList<>();
            for (JsonNode e : events) {
                if ("access_granted".equals(type(e))) {
                    granted.add(e.get("person_id").asText());
                }
            }
            assertFalse(granted.isEmpty(), "enrolled people were let in");
            assertTrue(Set.of("p01", "p03").containsAll(granted), "only enrolled people were let in: " + granted);
            assertEquals(Set.of("p01", "p03"), new HashSet<>(granted), "both enrolled people were let in");
            assertTrue(granted.size() >= enrolledVisits - 1, granted.size() + " grants for " + enrolledVisits + " visits");
            // every grant pulsed the relay: unlocked, then locked again when unlock_ms ran out
            long unlocks = doorEvents.stream().filter(e -> e.type() == DoorEvent.Type.UNLOCKED).count();
            long locks = doorEvents.stream().filter(e -> e.type() == DoorEvent.Type.LOCKED).count();
            assertEquals(granted.size(), unlocks, "one relay pulse per grant");
            assertTrue(locks >= unlocks, "every pulse ended locked");
            long mqttUnlocks = events.stream().filter(e -> "door_unlocked".equals(type(e))).count();
            assertEquals(unlocks, mqttUnlocks, "each pulse was published");
            // events carry unique ids and increasing sequence numbers, and never an embedding
            Set<String> ids = new HashSet<>();
            long lastSeq = 0;
            for (JsonNode e : events) {
                assertTrue(ids.add(e.get("event_id").asText()), "unique event ids");
                assertTrue(e.get("seq").asLong() > lastSeq, "sequence increases");
                lastSeq = e.get("seq").asLong();
                assertFalse(e.has("embedding"));
            }
            assertTrue(events.stream().anyMatch(e -> "access_denied".equals(type(e))
                    && "UNKNOWN_FACE".equals(e.path("reason").asText())), "strangers were refused");
            scenario.close();
        }
    }

    private static String type(JsonNode e) {
        return e.path("type").asText();
    }

    /** Each visit as 12 frames of a person walking up, then 1.2 s of empty frames, as numbered PNGs. */
    private static int writeCameraFolder(Scenario scenario, Path dir) throws Exception {
        VisitFrameSource source = new DemoRun.Camera(640, 480, 12, 36, 0, false).source(scenario.visits(), null);
        source.open();
        int n = 0;
        try (source) {
            while (true) {
                try (CameraFrame f = source.grab()) {
                    if (f == null) {
                        break;
                    }
                    imwrite(dir.resolve(String.format("frame-%05d.png", n++)).toString(), f.mat());
                }
            }
        }
        return n;
    }

    /**
     * The test's own event watcher. Moquette 0.17 now and then drops a connection it has just accepted (its log says
     * "SUBSCRIBE received on already closed connection"; seen once in a loaded full run, and reported against
     * Moquette elsewhere): the watcher then connects again, as the door's own link does after any loss.
     */
    private static MqttClient subscribe(EmbeddedBroker broker, FacegateConfig cfg, List<JsonNode> into)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (int attempt = 1; ; attempt++) {
            MqttClient client = new MqttClient(broker.uri(), "e2e-watcher", new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            try {
                client.connect(o);
                client.subscribe(new Topics(cfg.mqtt().topicPrefix(), cfg.mqtt().deviceId()).events(), 1,
                        (t, m) -> into.add(json.readTree(m.getPayload())));
                return client;
            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                client.close(true);
                if (attempt == 3 || e.getReasonCode() != org.eclipse.paho.client.mqttv3.MqttException
                        .REASON_CODE_CONNECTION_LOST) {
                    throw e;
                }
            }
        }
    }
}

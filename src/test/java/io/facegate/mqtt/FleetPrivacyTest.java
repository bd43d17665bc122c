package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What anyone allowed to subscribe to {@code facegate/#} (a broker operator, a dashboard, a loose ACL) sees of a fleet
 * enrollment, update and removal: no template, no person id or name, no group. Every payload is decoded: JSON walked,
 * every base64 string decoded and checked for a float32 embedding.
 */
class FleetPrivacyTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    private static final String PERSON = "ada.lovelace@example.com";
    private static final String NAME = "Augusta Ada King";
    private static final String GROUP = "analytical-engine";

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void theBrokerSeesNoTemplateNameOrGroup(TestBroker.Kind kind) throws Exception {
        KeyPair admin = AdminKeys.generate();
        String template = TestGallery.template(7);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("person_id", PERSON);
        body.put("display_name", NAME);
        body.putArray("groups").add(GROUP);
        body.putArray("templates").add(template);
        body.put("model_sha256", TestGallery.modelSha256());
        Set<String> secrets = Set.of(PERSON, "ada.lovelace", NAME, "Augusta", GROUP, template);

        // the detector itself: the clear record an older admin tool retained is caught
        ObjectNode clearRecord = SignedCommand.sign("c-0", CommandKind.ENROLL, Topics.FLEET, java.time.Instant.now(),
                java.time.Instant.now().plusSeconds(60), body.deepCopy(), admin.getPrivate(), admin.getPublic());
        assertFalse(leaks(JSON.writeValueAsBytes(clearRecord), secrets).isEmpty(), "the detector misses a clear record");

        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             Spy live = new Spy(broker.uri(), "spy-live-" + kind);
             TestDoor door = new TestDoor(broker.uri(), "door-p", dir, List.of(admin), 1 << 20).start();
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC())
                     .fleetKey(TestDoor.fleetKey(dir))) {
            door.awaitConnected();
            Set<String> online = Set.of("door-p");
            assertOk(cli.send(cli.sign(CommandKind.ENROLL, "fleet", body, Duration.ofMinutes(5)), online,
                    Duration.ofSeconds(10)));
            assertEquals(NAME, door.gallery.nameOf(PERSON), "the door opened the sealed record");
            ObjectNode update = ((ObjectNode) cli.currentRecord(PERSON).get("body")).deepCopy();
            update.put("enabled", false);
            assertOk(cli.send(cli.sign(CommandKind.ENROLL, "fleet", update, Duration.ofMinutes(5)), online,
                    Duration.ofSeconds(10)));

            List<String> found = new ArrayList<>();
            try (Spy late = new Spy(broker.uri(), "spy-late-" + kind)) {
                // a subscriber that comes later gets what is retained (Moquette does not flag it retained)
                assertTrue(FleetSyncTest.await(() -> late.all().stream().anyMatch(m -> m.getKey()
                        .startsWith("facegate/fleet/gallery/")) && late.all().stream().anyMatch(m -> m.getKey()
                        .equals("facegate/fleet/manifest")), 10), "retained: " + late.all().stream()
                        .map(Map.Entry::getKey).toList());
                for (Map.Entry<String, byte[]> m : late.all()) {
                    leaks(m.getKey().getBytes(StandardCharsets.UTF_8), secrets).forEach(l -> found.add(
                            "retained topic " + m.getKey() + ": " + l));
                    leaks(m.getValue(), secrets).forEach(l -> found.add("retained " + m.getKey() + ": " + l));
                }
            }
            assertOk(cli.send(cli.sign(CommandKind.REMOVE_PERSON, "fleet",
                    JsonNodeFactory.instance.objectNode().put("person_id", PERSON), Duration.ofMinutes(5)), online,
                    Duration.ofSeconds(10)));
            assertEquals(Set.of(), door.gallery.personIds());
            for (Map.Entry<String, byte[]> m : live.all()) {
                leaks(m.getKey().getBytes(StandardCharsets.UTF_8), secrets).forEach(l -> found.add("topic "
                        + m.getKey() + ": " + l));
                leaks(m.getValue(), secrets).forEach(l -> found.add(m.getKey() + ": " + l));
            }
            assertTrue(live.all().size() >= 6, "the spy saw the traffic: " + live.all().size());
            assertEquals(List.of(), found);
        }
    }

    private static void assertOk(List<JsonNode> replies) {
        assertEquals(1, replies.size(), replies.toString());
        assertTrue(replies.get(0).get("ok").asBoolean(), replies.toString());
    }

    /** What {@code payload} shows in clear: a secret string, or a float array that looks like an embedding. */
    static List<String> leaks(byte[] payload, Set<String> secrets) {
        List<String> out = new ArrayList<>();
        String text = new String(payload, StandardCharsets.UTF_8);
        for (String s : secrets) {
            if (text.contains(s)) {
                out.add("'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "' in clear");
            }
        }
        try {
            walk(JSON.readTree(payload), out);
        } catch (Exception e) {
            // not JSON (status "online"): the string check above covers it
        }
        return out;
    }

    private static void walk(JsonNode n, List<String> out) {
        if (n == null) {
            return;
        }
        if (n.isArray()) {
            int numbers = 0;
            for (JsonNode e : n) {
                numbers += e.isNumber() ? 1 : 0;
                walk(e, out);
            }
            if (numbers >= 64) {
                out.add("an array of " + numbers + " numbers");
            }
        } else if (n.isObject()) {
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                walk(it.next(), out);
            }
        } else if (n.isTextual()) {
            byte[] b;
            try {
                b = Base64.getDecoder().decode(n.asText());
            } catch (IllegalArgumentException e) {
                return;
            }
            if (looksLikeEmbedding(b)) {
                out.add("a base64 float32 vector of " + b.length / 4 + " values with unit norm");
            }
        }
    }

    /** 128 or more float32 little-endian values, all finite, of L2 norm about 1 (or any slice of them). */
    private static boolean looksLikeEmbedding(byte[] b) {
        for (int off = 0; off < 4 && b.length - off >= 128 * 4; off++) {
            ByteBuffer buf = ByteBuffer.wrap(b, off, (b.length - off) / 4 * 4).order(ByteOrder.LITTLE_ENDIAN);
            double norm = 0;
            boolean finite = true;
            int count = 0;
            while (buf.remaining() >= 4) {
                float f = buf.getFloat();
                finite &= Float.isFinite(f) && Math.abs(f) <= 1;
                norm += f * f;
                count++;
            }
            if (finite && count >= 128 && Math.abs(Math.sqrt(norm) - 1) < 0.2) {
                return true;
            }
        }
        return false;
    }

    /** A subscriber to {@code facegate/#}: every message with its topic. */
    private static final class Spy implements AutoCloseable {
        private final MqttClient client;
        private final List<Map.Entry<String, byte[]>> all = new ArrayList<>();

        Spy(String uri, String id) throws Exception {
            client = new MqttClient(uri, id, new MemoryPersistence());
            client.connect();
            client.subscribe("facegate/#", 1, (topic, msg) -> {
                synchronized (all) {
                    all.add(Map.entry(topic, msg.getPayload()));
                }
            });
        }

        List<Map.Entry<String, byte[]>> all() {
            synchronized (all) {
                return new ArrayList<>(all);
            }
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }
}

package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fleet gallery sync end to end. Three doors and one admin: door-c is offline while 50 people are enrolled and 5
 * removed fleet-wide; once it connects it reaches the same gallery (persons and names, sync version, heads hash) as the other two within 10 seconds, with no admin action. A broker with a small queue limit, which drops
 * most of a big retained delivery, still cannot keep a removal from a door; and a broker that deletes a tombstone and
 * republishes the old enrollment cannot bring the person back.
 */
class FleetSyncTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void anOfflineDoorCatchesUpWithTheFleet(TestBroker.Kind kind) throws Exception {
        KeyPair admin = AdminKeys.generate();
        List<KeyPair> admins = List.of(admin);
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             TestDoor a = new TestDoor(broker.uri(), "door-a", dir, admins, 1 << 20).start();
             TestDoor b = new TestDoor(broker.uri(), "door-b", dir, admins, 1 << 20).start();
             TestDoor c = new TestDoor(broker.uri(), "door-c", dir, admins, 1 << 20);
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC()).fleetKey(TestDoor.fleetKey(dir))) {
            a.awaitConnected();
            b.awaitConnected();
            assertEquals(Set.of("door-a", "door-b"), cli.onlineDevices(AdminClient.SETTLE));
            Set<String> online = Set.of("door-a", "door-b");
            for (int i = 0; i < 50; i++) {
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                body.put("person_id", "p" + i);
                body.put("display_name", "Person " + i);
                body.putArray("groups").add(i % 2 == 0 ? "staff" : "visitors");
                body.putArray("templates").add(TestGallery.template(i));
                body.put("model_sha256", TestGallery.modelSha256());
                allOk(cli.send(cli.sign(CommandKind.ENROLL, "fleet", body, Duration.ofMinutes(5)), online,
                        Duration.ofSeconds(10)), online);
            }
            for (int i = 0; i < 50; i += 10) {
                allOk(cli.send(cli.sign(CommandKind.REMOVE_PERSON, "fleet",
                        JsonNodeFactory.instance.objectNode().put("person_id", "p" + i), Duration.ofMinutes(5)),
                        online, Duration.ofSeconds(10)), online);
            }
            assertEquals(45, a.gallery.personIds().size());
            assertEquals(a.syncedState(), b.syncedState());

            long t0 = System.nanoTime();
            c.start();
            boolean same = false;
            while (!same && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(50);
                same = c.syncedState().equals(a.syncedState());
            }
            Map<String, Object> sa = a.syncedState();
            assertTrue(same, "door-c " + c.syncedState() + " did not reach " + sa + " within 10 s");
            assertEquals(sa, b.syncedState());
            assertEquals(45, ((Map<?, ?>) sa.get("persons")).size());
            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < 50; i++) {
                if (i % 10 != 0) {
                    expected.add("p" + i);
                }
            }
            assertEquals(expected, c.gallery.personIds());
            // the gallery can match the fleet a moment before the sync has dropped its last fetch: wait for it
            assertTrue(await(() -> "complete".equals(c.mqtt.fleetSyncStatus().get("state")), 10),
                    "sync " + c.mqtt.fleetSyncStatus());
            // a reconnect re-delivers the manifest: nothing changes and no door replies again
            c.mqtt.close();
            try (TestDoor c2 = new TestDoor(broker.uri(), "door-c", dir, admins, 1 << 20).start()) {
                c2.awaitConnected();
                Thread.sleep(1000);
                assertEquals(sa, c2.syncedState());
            }
        }
    }

    /**
     * Mosquitto with max_queued_messages 50 and max_inflight_messages 20 delivers at most 70 of the retained records a
     * wildcard subscription matches and drops the rest ("Outgoing messages are being dropped"). A door enrolled 300
     * people, went offline while 60 of them were removed, and comes back: every removed person must be gone.
     */
    @Test
    void aSmallBrokerQueueCannotKeepARemovalFromADoor() throws Exception {
        KeyPair admin = AdminKeys.generate();
        List<KeyPair> admins = List.of(admin);
        int people = 300;
        try (TestBroker broker = TestBroker.Mosquitto.withSettings(dir.resolve("broker"),
                List.of("max_queued_messages 50", "max_inflight_messages 20"));
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)),
                     Clock.systemUTC()).fleetKey(TestDoor.fleetKey(dir))) {
            Set<String> all = new TreeSet<>();
            try (TestDoor door = new TestDoor(broker.uri(), "door-q", dir, admins, 1 << 20).start()) {
                door.awaitConnected();
                for (int i = 0; i < people; i++) {
                    cli.send(cli.sign(CommandKind.ENROLL, "fleet", enroll("p" + i, i), Duration.ofMinutes(5)),
                            Set.of(), Duration.ZERO);
                    all.add("p" + i);
                }
                assertTrue(await(() -> door.gallery.personIds().equals(all), 60), "door-q enrolled all "
                        + people + " people live; it holds " + door.gallery.personIds().size());
            }
            Set<String> removed = new TreeSet<>();
            for (int i = 0; i < people; i += 5) {
                cli.send(cli.sign(CommandKind.REMOVE_PERSON, "fleet",
                        JsonNodeFactory.instance.objectNode().put("person_id", "p" + i), Duration.ofMinutes(5)),
                        Set.of(), Duration.ZERO);
                removed.add("p" + i);
            }
            Set<String> expected = new TreeSet<>(all);
            expected.removeAll(removed);
            try (TestDoor door = new TestDoor(broker.uri(), "door-q", dir, admins, 1 << 20).start()) {
                door.awaitConnected();
                boolean synced = await(() -> door.gallery.personIds().equals(expected), 60);
                Set<String> stillIn = new TreeSet<>(door.gallery.personIds());
                stillIn.retainAll(removed);
                assertEquals(Set.of(), stillIn, "removed people the door still lets in");
                assertTrue(synced, "door-q holds " + door.gallery.personIds().size() + " people, expected "
                        + expected.size());
                assertTrue(await(() -> "complete".equals(door.mqtt.fleetSyncStatus().get("state")), 20),
                        "sync state " + door.mqtt.fleetSyncStatus());
                assertEquals(0, door.mqtt.fleetSyncStatus().get("missing"));
            }
        }
    }

    /**
     * The broker deletes a person's tombstone (an empty retained message on its topic), republishes the old enroll
     * record it kept, and even republishes an older manifest that still lists the person: neither a new door nor one
     * that saw the newer manifest lets the person back in. A second person, untouched, syncs normally.
     */
    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void aBrokerCannotResurrectARemovedPerson(TestBroker.Kind kind) throws Exception {
        KeyPair admin = AdminKeys.generate();
        List<KeyPair> admins = List.of(admin);
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             Subscriber manifests = new Subscriber(broker.uri(), "spy-" + kind, "facegate/fleet/manifest");
             Subscriber records = new Subscriber(broker.uri(), "records-" + kind, "facegate/fleet/gallery/#");
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)),
                     Clock.systemUTC()).fleetKey(TestDoor.fleetKey(dir));
             Attacker attacker = new Attacker(broker.uri(), "attacker-" + kind)) {
            ObjectNode enrollAda = cli.sign(CommandKind.ENROLL, "fleet", enroll("ada", 1), Duration.ofMinutes(5));
            cli.send(enrollAda, Set.of(), Duration.ZERO);
            cli.send(cli.sign(CommandKind.ENROLL, "fleet", enroll("bob", 2), Duration.ofMinutes(5)), Set.of(),
                    Duration.ZERO);
            ObjectNode removeAda = cli.sign(CommandKind.REMOVE_PERSON, "fleet",
                    JsonNodeFactory.instance.objectNode().put("person_id", "ada"), Duration.ofMinutes(5));
            cli.send(removeAda, Set.of(), Duration.ZERO);

            try (TestDoor witness = new TestDoor(broker.uri(), "door-w", dir, admins, 1 << 20).start()) {
                witness.awaitConnected();
                assertTrue(await(() -> witness.gallery.personIds().equals(Set.of("bob"))
                        && "complete".equals(witness.mqtt.fleetSyncStatus().get("state")), 30),
                        "door-w " + witness.gallery.personIds() + " " + witness.mqtt.fleetSyncStatus());

                // the broker sees ada's opaque topic and kept her sealed enroll record as it was published
                Topics fleet = new Topics("facegate", Topics.FLEET);
                String adaRef = TestDoor.fleetKey(dir).ref(1, "ada");
                JsonNode keptEnroll = records.all().stream()
                        .filter(r -> r.path("id").asText().equals(enrollAda.get("id").asText())).findFirst()
                        .orElseThrow();
                attacker.publish(fleet.galleryRecord(adaRef, removeAda.get("id").asText()), new byte[0], 1, true);
                attacker.publish(fleet.galleryRecord(adaRef, enrollAda.get("id").asText()),
                        JSON.writeValueAsBytes(keptEnroll), 1, true);
                try (Subscriber replies = new Subscriber(broker.uri(), "replies-" + kind,
                        new Topics("facegate", "door-new").reply());
                     TestDoor fresh = new TestDoor(broker.uri(), "door-new", dir, admins, 1 << 20).start()) {
                    fresh.awaitConnected();
                    assertTrue(await(() -> fresh.gallery.personIds().contains("bob")
                            && "complete".equals(fresh.mqtt.fleetSyncStatus().get("state")), 30),
                            "door-new " + fresh.gallery.personIds() + " " + fresh.mqtt.fleetSyncStatus());
                    assertFalse(fresh.gallery.personIds().contains("ada"), "the broker resurrected ada");
                    // the tombstone never came, the manifest vouched for it: the door still answers the admin
                    String removal = removeAda.get("id").asText();
                    assertTrue(replies.await(l -> l.stream().anyMatch(r -> r.path("command_id").asText()
                            .equals(removal) && r.path("ok").asBoolean()), 10_000),
                            "door-new replies for the removal it took from the manifest: " + replies.all());
                    assertEquals(witness.syncedState(), fresh.syncedState());

                    // an older, genuinely signed manifest replayed later changes nothing on a door that saw newer
                    assertTrue(manifests.await(l -> l.size() >= 3, 10_000), "one manifest per fleet change");
                    JsonNode oldManifest = manifests.all().get(1); // ada and bob enrolled
                    attacker.publish(fleet.fleetManifest(), JSON.writeValueAsBytes(oldManifest), 1, true);
                    try (TestDoor again = new TestDoor(broker.uri(), "door-new", dir, admins, 1 << 20)) {
                        fresh.mqtt.close();
                        again.start().awaitConnected();
                        assertTrue(await(() -> again.mqtt.fleetSyncStatus().get("manifest_issued_at") != null, 20));
                        assertFalse(await(() -> again.gallery.personIds().contains("ada"), 3),
                                "an old manifest and the old record brought ada back");
                        assertEquals(witness.syncedState(), again.syncedState());
                    }
                }
            }
        }
    }

    /** Anyone able to publish on the broker (or the broker itself): retained messages at will. */
    private static final class Attacker implements AutoCloseable {
        private final MqttClient client;

        Attacker(String uri, String id) throws Exception {
            client = new MqttClient(uri, id, new MemoryPersistence());
            client.connect();
        }

        void publish(String topic, byte[] payload, int qos, boolean retained) throws Exception {
            client.publish(topic, payload, qos, retained);
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = io.facegate.config.Yaml.jsonMapper();

    private static ObjectNode enroll(String person, int seed) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("person_id", person);
        body.put("display_name", "Person " + person);
        body.putArray("groups").add("staff");
        body.putArray("templates").add(TestGallery.template(seed));
        body.put("model_sha256", TestGallery.modelSha256());
        return body;
    }

    /** Polls {@code condition} until it holds or {@code seconds} pass. */
    static boolean await(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void allOk(List<JsonNode> replies, Set<String> expect) {
        Set<String> from = new TreeSet<>();
        for (JsonNode r : replies) {
            assertTrue(r.get("ok").asBoolean(), r.toString());
            from.add(r.get("device").asText());
        }
        assertEquals(expect, from);
    }
}

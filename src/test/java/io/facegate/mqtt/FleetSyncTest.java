package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three doors and one admin on one broker. door-c is offline while 50 people are enrolled and 5 removed fleet-wide;
 * once it connects it reaches the same gallery (persons and names, sync version, heads hash) as the other
 * two within 10 seconds, with no admin action.
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
                     admin.getPrivate(), admin.getPublic(), Clock.systemUTC())) {
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
            // a reconnect re-delivers every retained record: nothing changes and no door replies again
            c.mqtt.close();
            try (TestDoor c2 = new TestDoor(broker.uri(), "door-c", dir, admins, 1 << 20).start()) {
                c2.awaitConnected();
                Thread.sleep(1000);
                assertEquals(sa, c2.syncedState());
            }
        }
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

package io.facegate.mqtt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rotation end to end: records sealed to epoch 1 keep working on a door given the rotated key, reseal moves every
 * record to epoch 2 (new topics, the old ones cleared), and a door left with only epoch 1 says why it cannot follow.
 */
class FleetKeyRotationTest {
    @TempDir
    Path dir;

    @Test
    void resealMovesTheFleetToTheNewEpochAndAnExcludedDoorSaysWhy() throws Exception {
        KeyPair admin = AdminKeys.generate();
        List<KeyPair> admins = List.of(admin);
        Path keyFile = TestDoor.fleetKeyFile(dir); // epoch 1, what every door reads
        Path oldCopy = dir.resolve("old/fleet.key");
        Files.createDirectories(oldCopy.getParent());
        FleetKeyRing.load(keyFile).save(oldCopy);
        try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("broker"));
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC())
                     .fleetKey(FleetKeyRing.load(keyFile))) {
            for (String p : List.of("ada", "bob", "cy")) {
                cli.send(cli.sign(CommandKind.ENROLL, "fleet", enroll(p), Duration.ofMinutes(5)), Set.of(),
                        Duration.ZERO);
            }
            FleetKeyRing rotated = FleetKeyRing.load(keyFile).rotate();
            rotated.save(keyFile); // every door of this test now reads epochs 1 and 2
            try (TestDoor door = new TestDoor(broker.uri(), "door-r", dir, admins, 1 << 20).start()) {
                door.awaitConnected();
                assertTrue(FleetSyncTest.await(() -> door.gallery.personIds().equals(Set.of("ada", "bob", "cy"))
                        && "complete".equals(door.mqtt.fleetSyncStatus().get("state")), 20),
                        "epoch 1 records on a door holding epochs 1 and 2: " + door.mqtt.fleetSyncStatus());
                Object before = door.syncedState();

                assertEquals(3, cli.reseal(rotated));
                try (Subscriber records = new Subscriber(broker.uri(), "records", "facegate/fleet/gallery/#")) {
                    assertTrue(records.await(l -> l.size() >= 3, 10_000));
                    assertFalse(records.await(l -> l.size() > 3, 1_000), "old topics cleared: " + records.all());
                    for (var r : records.all()) {
                        assertEquals(2, r.path("body").path("sealed").path("epoch").asInt(), r.toString());
                    }
                }
                cli.send(cli.sign(CommandKind.REMOVE_PERSON, "fleet",
                        JsonNodeFactory.instance.objectNode().put("person_id", "bob"), Duration.ofMinutes(5)),
                        Set.of("door-r"), Duration.ofSeconds(10));
                assertTrue(FleetSyncTest.await(() -> door.gallery.personIds().equals(Set.of("ada", "cy")), 10));
                assertFalse(before.equals(door.syncedState()));

                // a door that was not given the new key: it keeps what it had and says why it cannot follow
                Files.createDirectories(dir.resolve("x"));
                try (TestDoor excluded = new TestDoor(broker.uri(), "door-x", dir.resolve("x"), admins, 1 << 20,
                        null, oldCopy).start()) {
                    excluded.awaitConnected();
                    assertTrue(FleetSyncTest.await(() -> String.valueOf(excluded.mqtt.fleetSyncStatus()
                            .get("last_error")).contains("epoch 2"), 10), excluded.mqtt.fleetSyncStatus().toString());
                    assertEquals(Set.of(), excluded.gallery.personIds());
                }
            }
        }
    }

    private static ObjectNode enroll(String person) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("person_id", person);
        body.put("display_name", "Person " + person);
        body.putArray("groups").add("staff");
        body.putArray("templates").add(TestGallery.template(person.hashCode()));
        body.put("model_sha256", TestGallery.modelSha256());
        return body;
    }
}

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
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two admins change the same person at once and the older change reaches the broker last. Every door, including
 * one that connects afterwards, keeps the newer change: both records stay retained (the older admin must not clear
 * the newer one) and doors order them by (issued_at, id).
 */
class ConcurrentAdminsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void theNewerChangeWinsOnEveryDoor(TestBroker.Kind kind) throws Exception {
        KeyPair alice = AdminKeys.generate();
        KeyPair bob = AdminKeys.generate();
        List<KeyPair> admins = List.of(alice, bob);
        Clock now = Clock.systemUTC();
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             TestDoor a = new TestDoor(broker.uri(), "door-a", dir, admins, 1 << 20).start();
             TestDoor late = new TestDoor(broker.uri(), "door-late", dir, admins, 1 << 20);
             AdminClient aliceCli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     alice.getPrivate(), alice.getPublic(), DoorKeys.of(List.of(dir)),
                     Clock.offset(now, Duration.ofSeconds(-2))).fleetKey(TestDoor.fleetKey(dir));
             AdminClient bobCli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     bob.getPrivate(), bob.getPublic(), DoorKeys.of(List.of(dir)), now)
                     .fleetKey(TestDoor.fleetKey(dir))) {
            a.awaitConnected();
            aliceCli.trust(bob.getPublic()); // admin --trust bob.pub: Alice's manifests vouch for Bob's records
            // both sign before either publishes: Alice's command is older
            ObjectNode fromAlice = aliceCli.sign(CommandKind.ENROLL, "fleet", person("Ada (Alice)"),
                    Duration.ofMinutes(5));
            ObjectNode fromBob = bobCli.sign(CommandKind.ENROLL, "fleet", person("Ada (Bob)"), Duration.ofMinutes(5));
            List<JsonNode> r1 = bobCli.send(fromBob, Set.of("door-a"), Duration.ofSeconds(10));
            assertTrue(r1.get(0).get("ok").asBoolean(), r1.toString());
            // Alice's older record arrives last: the online door ignores it silently (no reply)...
            List<JsonNode> r2 = aliceCli.send(fromAlice, Set.of("door-a"), Duration.ofSeconds(2));
            assertEquals(List.of(), r2);
            assertEquals("Ada (Bob)", a.gallery.nameOf("ada"));
            // ...and a door that connects later picks the same winner from the retained records
            late.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!a.syncedState().equals(late.syncedState()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(a.syncedState(), late.syncedState());
            assertEquals("Ada (Bob)", late.gallery.nameOf("ada"));
            // Bob's winning record is still retained; Alice did not clear it
            JsonNode current = bobCli.currentRecord("ada");
            assertEquals(fromBob.get("id").asText(), current.get("id").asText());
            assertFalse(current.get("body").get("display_name").asText().contains("Alice"));
            // the manifest Alice published last names Bob's newer change as ada's head, not her own
            try (Subscriber manifest = new Subscriber(broker.uri(), "manifest-" + kind, "facegate/fleet/manifest")) {
                assertTrue(manifest.await(l -> !l.isEmpty(), 10_000), "a retained manifest");
                JsonNode m = manifest.all().get(0);
                assertEquals(AdminKeys.keyId(alice.getPublic()), m.get("key_id").asText());
                FleetManifest opened = FleetManifest.verify(JSON.writeValueAsBytes(m), java.util.Map.of(
                        AdminKeys.keyId(alice.getPublic()), alice.getPublic()), TestDoor.fleetKey(dir));
                assertEquals(fromBob.get("id").asText(), opened.heads().get("ada").commandId(), m.toString());
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = io.facegate.config.Yaml.jsonMapper();

    private static ObjectNode person(String name) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("person_id", "ada");
        b.put("display_name", name);
        b.putArray("groups").add("staff");
        b.putArray("templates").add(TestGallery.template(1));
        b.put("model_sha256", TestGallery.modelSha256());
        return b;
    }
}

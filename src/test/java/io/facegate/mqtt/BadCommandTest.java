package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every refusal, end to end through a real broker: the door answers with the error code and nothing changes (same
 * gallery content, same sync version, no door action). A valid command is accepted before and after, to show the
 * refusals are not a door that refuses everything.
 */
class BadCommandTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void everyBadCommandIsRefusedWithItsReasonAndChangesNothing(TestBroker.Kind kind) throws Exception {
        KeyPair admin = AdminKeys.generate();
        KeyPair stranger = AdminKeys.generate();
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             TestDoor door = new TestDoor(broker.uri(), "door-1", dir, List.of(admin), 64 * 1024).start();
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC())) {
            door.awaitConnected();
            ObjectNode enroll = enrollBody("p1", "Ada", TestDoor.photo(1));
            ObjectNode good = cli.sign(CommandKind.ENROLL, "door-1", enroll, Duration.ofMinutes(5));
            JsonNode ok = one(cli.send(good, Set.of("door-1"), WAIT));
            assertTrue(ok.get("ok").asBoolean(), ok.toString());
            assertEquals(1, ok.get("data").get("gallery_persons").asInt());
            Map<String, Object> before = door.state();
            List<String> doorBefore = door.gallery.doorLog();

            // signature missing
            ObjectNode unsigned = cli.sign(CommandKind.UNLOCK, "door-1", unlock(5), Duration.ofMinutes(5));
            unsigned.remove("sig");
            expect(cli, door, unsigned, "signature_missing");
            // signature wrong: the body was changed after signing
            ObjectNode tampered = cli.sign(CommandKind.ENROLL, "door-1", enrollBody("p2", "Bob",
                    TestDoor.photo(2)), Duration.ofMinutes(5));
            ((ObjectNode) tampered.get("body")).put("display_name", "Mallory");
            expect(cli, door, tampered, "bad_signature");
            // signature from another key claiming to be the admin's
            ObjectNode forged = SignedCommand.sign(UUID.randomUUID().toString(), CommandKind.UNLOCK, "door-1",
                    Instant.now(), Instant.now().plusSeconds(60), unlock(5), stranger.getPrivate(), admin.getPublic());
            expect(cli, door, forged, "bad_signature");
            // unknown key
            ObjectNode unknown = SignedCommand.sign(UUID.randomUUID().toString(), CommandKind.UNLOCK, "door-1",
                    Instant.now(), Instant.now().plusSeconds(60), unlock(5), stranger.getPrivate(),
                    stranger.getPublic());
            expect(cli, door, unknown, "unknown_key");
            // expired, and not yet valid
            Instant now = Instant.now();
            expect(cli, door, SignedCommand.sign(UUID.randomUUID().toString(), CommandKind.UNLOCK, "door-1",
                    now.minusSeconds(7200), now.minusSeconds(3600), unlock(5), admin.getPrivate(),
                    admin.getPublic()), "expired");
            expect(cli, door, SignedCommand.sign(UUID.randomUUID().toString(), CommandKind.UNLOCK, "door-1",
                    now.plusSeconds(3600), now.plusSeconds(7200), unlock(5), admin.getPrivate(),
                    admin.getPublic()), "not_yet_valid");
            // replay of the enrollment that was applied
            expect(cli, door, good, "replayed");
            // addressed to another door
            ObjectNode forDoor2 = cli.sign(CommandKind.UNLOCK, "door-2", unlock(5), Duration.ofMinutes(5));
            JsonNode wrong = one(cli.sendRaw("door-1", JSON.writeValueAsBytes(forDoor2),
                    forDoor2.get("id").asText(), WAIT));
            assertEquals("wrong_target", wrong.get("code").asText(), wrong.toString());
            // malformed: not JSON (no id to answer to), and a signed command with a bad body
            JsonNode notJson = one(cli.sendRaw("door-1", "{not json".getBytes(StandardCharsets.UTF_8), null, WAIT));
            assertEquals("malformed", notJson.get("code").asText());
            expect(cli, door, cli.sign(CommandKind.UNLOCK, "door-1", unlock(0), Duration.ofMinutes(5)),
                    "malformed");
            expect(cli, door, cli.sign(CommandKind.ENROLL, "door-1", JsonNodeFactory.instance.objectNode()
                    .put("person_id", "p3").put("display_name", "No photo"), Duration.ofMinutes(5)), "malformed");
            // too large: refused unread
            ObjectNode big = cli.sign(CommandKind.ENROLL, "door-1", enrollBody("p4", "Big", new byte[80 * 1024]),
                    Duration.ofMinutes(5));
            JsonNode tooLarge = one(cli.sendRaw("door-1", JSON.writeValueAsBytes(big), null, WAIT));
            assertEquals("too_large", tooLarge.get("code").asText());
            // photos failing enrollment's quality gates
            expect(cli, door, cli.sign(CommandKind.ENROLL, "door-1", enrollBody("p5", "Tiny", TestDoor.tiny(5, 24)),
                    Duration.ofMinutes(5)), "quality_gate");
            expect(cli, door, cli.sign(CommandKind.ENROLL, "door-1", enrollBody("p6", "Flat", TestDoor.flat(96)),
                    Duration.ofMinutes(5)), "quality_gate");
            expect(cli, door, cli.sign(CommandKind.ENROLL, "door-1", enrollBody("p7", "Text",
                    "not an image".getBytes(StandardCharsets.UTF_8)), Duration.ofMinutes(5)), "quality_gate");
            // an older change to a person than the one applied
            ObjectNode olderRemove = SignedCommand.sign(UUID.randomUUID().toString(), CommandKind.REMOVE_PERSON,
                    "door-1", Instant.parse(good.get("issued_at").asText()).minusSeconds(10), now.plusSeconds(60),
                    JsonNodeFactory.instance.objectNode().put("person_id", "p1"), admin.getPrivate(),
                    admin.getPublic());
            expect(cli, door, olderRemove, "stale");

            assertEquals(before, door.state(), "refused commands changed the gallery");
            assertEquals(doorBefore, door.gallery.doorLog(), "refused commands moved the door");
            assertEquals(Set.of("p1"), door.gallery.personIds());

            JsonNode unlocked = one(cli.send(cli.sign(CommandKind.UNLOCK, "door-1", unlock(7), Duration.ofMinutes(1)),
                    Set.of("door-1"), WAIT));
            assertTrue(unlocked.get("ok").asBoolean(), unlocked.toString());
            assertTrue(door.gallery.unlocked(), "the signed unlock opened the real door controller");
            List<String> after = door.gallery.doorLog().subList(doorBefore.size(), door.gallery.doorLog().size());
            assertTrue(after.stream().anyMatch(l -> l.startsWith("UNLOCKED")
                    && l.contains("admin:" + AdminKeys.keyId(admin.getPublic()))), after.toString());
        }
    }

    private static void expect(AdminClient cli, TestDoor door, ObjectNode cmd, String code) throws Exception {
        JsonNode r = one(cli.send(cmd, Set.of(door.id), WAIT));
        assertFalse(r.get("ok").asBoolean(), r.toString());
        assertEquals(code, r.get("code").asText(), r.toString());
        assertEquals(cmd.get("id").asText(), r.get("command_id").asText());
        assertTrue(r.hasNonNull("message"));
    }

    private static JsonNode one(List<JsonNode> replies) {
        assertEquals(1, replies.size(), "expected one reply, got " + replies);
        return replies.get(0);
    }

    static ObjectNode enrollBody(String id, String name, byte[] photo) {
        ObjectNode b = JsonNodeFactory.instance.objectNode();
        b.put("person_id", id);
        b.put("display_name", name);
        b.putArray("groups").add("staff");
        b.putArray("photos").add(Base64.getEncoder().encodeToString(photo));
        return b;
    }

    static ObjectNode unlock(int seconds) {
        return JsonNodeFactory.instance.objectNode().put("seconds", seconds);
    }
}

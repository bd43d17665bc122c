package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
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

/** The admin tool believes a reply only when the door's own key signed it (the broker can forge anything else). */
class ReplySignatureTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    @TempDir
    Path dir;

    @Test
    void aForgedReplyNeverCountsAndCannotDisplaceTheDoorsOwn() throws Exception {
        KeyPair admin = AdminKeys.generate();
        KeyPair forgerKey = AdminKeys.generate();
        try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("broker"));
             TestDoor door = new TestDoor(broker.uri(), "door-1", dir, List.of(admin), 1 << 20).start();
             MqttClient forger = new MqttClient(broker.uri(), "forger", new MemoryPersistence());
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(dir)), Clock.systemUTC())) {
            door.awaitConnected();
            forger.connect();
            // the forger answers every command at once, refusing it, with a well-formed reply signed by its own key
            forger.subscribe("facegate/door-1/cmd", 1, (topic, msg) -> {
                ObjectNode fake = JsonNodeFactory.instance.objectNode();
                fake.put("command_id", JSON.readTree(msg.getPayload()).get("id").asText());
                fake.put("device", "door-1");
                fake.put("ok", false);
                fake.put("code", "lockdown");
                byte[] payload = JSON.writeValueAsBytes(SignedReply.sign(fake, forgerKey));
                new Thread(() -> {
                    try {
                        forger.publish("facegate/door-1/reply", payload, 1, false);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).start();
            });

            List<JsonNode> replies = cli.send(cli.sign(CommandKind.UNLOCK, "door-1",
                    JsonNodeFactory.instance.objectNode().put("seconds", 3), Duration.ofMinutes(1)),
                    Set.of("door-1"), Duration.ofSeconds(10));

            assertEquals(1, replies.size(), replies.toString());
            assertTrue(replies.get(0).get("ok").asBoolean(), replies.toString());
            assertEquals(AdminKeys.keyId(AdminKeys.readPublic(dir.resolve("door-1.pub"))),
                    replies.get(0).get("key_id").asText());
            assertEquals(1, door.gallery.doorLog().stream().filter(l -> l.startsWith("UNLOCKED")).count(),
                    "the door opened once: " + door.gallery.doorLog());
            forger.disconnect();
        }
    }

    @Test
    void aReplyThatDoesNotVerifyWithTheDoorsKnownKeyIsAnError() throws Exception {
        KeyPair admin = AdminKeys.generate();
        Path wrongKeys = dir.resolve("admin-door-keys");
        Files.createDirectories(wrongKeys);
        AdminKeys.write(AdminKeys.generate(), wrongKeys.resolve("door-1").toString()); // not door-1's real key
        try (TestBroker broker = TestBroker.start(TestBroker.Kind.MOQUETTE, dir.resolve("broker"));
             TestDoor one = new TestDoor(broker.uri(), "door-1", dir, List.of(admin), 1 << 20).start();
             TestDoor two = new TestDoor(broker.uri(), "door-2", dir, List.of(admin), 1 << 20).start();
             AdminClient cli = new AdminClient(broker.uri(), AdminClient.plainOptions(), "facegate",
                     admin.getPrivate(), admin.getPublic(), DoorKeys.of(List.of(wrongKeys)), Clock.systemUTC())) {
            one.awaitConnected();
            two.awaitConnected();
            for (String device : List.of("door-1", "door-2")) {
                List<JsonNode> r = cli.send(cli.sign(CommandKind.LOCKDOWN, device,
                        JsonNodeFactory.instance.objectNode().put("on", false), Duration.ofMinutes(1)),
                        Set.of(device), Duration.ofSeconds(3));
                assertEquals(1, r.size(), r.toString());
                assertFalse(r.get(0).get("ok").asBoolean(), r.toString());
                assertEquals("unverified_reply", r.get(0).get("code").asText(), r.toString());
            }
        }
    }

    @Test
    void theSignatureCoversOkCodeAndData() {
        KeyPair door = AdminKeys.generate();
        ObjectNode reply = JsonNodeFactory.instance.objectNode().put("command_id", "c1").put("device", "door-1")
                .put("ok", false).put("code", "lockdown");
        reply.putObject("data").put("gallery_persons", 3);
        SignedReply.sign(reply, door);
        assertTrue(SignedReply.verify(reply, door.getPublic()));
        for (String field : List.of("ok", "code", "data", "device", "command_id")) {
            ObjectNode t = reply.deepCopy();
            switch (field) {
                case "ok" -> t.put("ok", true);
                case "data" -> ((ObjectNode) t.get("data")).put("gallery_persons", 4);
                default -> t.put(field, "x");
            }
            assertFalse(SignedReply.verify(t, door.getPublic()), "a changed " + field + " still verified");
        }
        assertFalse(SignedReply.verify(reply, AdminKeys.generate().getPublic()));
    }
}

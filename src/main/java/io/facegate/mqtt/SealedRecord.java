package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;

/**
 * A fleet gallery record whose body (person id, name, groups, templates) is sealed to the fleet key, and which is
 * signed over the ciphertext like any command:
 *
 * <pre>{"v":1,"id":"…","kind":"enroll","target":"fleet","issued_at":"…Z","expires_at":"…Z","key_id":"…",
 *  "body":{"ref":"<32 hex>","sealed":{"epoch":3,"eph":"…","wrap":"…","ct":"…"}},"sig":"…"}</pre>
 *
 * {@code ref} is the topic level of the person's records under the sealing epoch ({@link FleetKeyRing#ref}); it is
 * bound into the ciphertext's associated data together with the command id, kind and issue time, and must be the
 * reference of the person inside, so a sealed body cannot be moved to another record or person.
 */
final class SealedRecord {
    private SealedRecord() {
    }

    /** Seals the body of a clear fleet person change and signs the result with the same id and times. */
    static ObjectNode seal(JsonNode clear, FleetKeyRing fleetKey, PrivateKey key, PublicKey pub) {
        String id = clear.get("id").asText();
        CommandKind kind = CommandKind.fromWire(clear.get("kind").asText());
        String issued = clear.get("issued_at").asText();
        String ref = fleetKey.ref(fleetKey.currentEpoch(), clear.get("body").get("person_id").asText());
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("ref", ref);
        body.set("sealed", fleetKey.seal(clear.get("body"), FleetKeyRing.recordAad(id, kind.wire(), issued, ref)));
        return SignedCommand.sign(id, kind, clear.get("target").asText(), Instant.parse(issued),
                Instant.parse(clear.get("expires_at").asText()), body, key, pub);
    }

    /**
     * The clear body of a sealed record (call only after its signature verified); {@link IllegalArgumentException}
     * naming the cause when it is not sealed, not to an epoch this door holds, tampered, or moved.
     */
    static JsonNode openBody(JsonNode env, FleetKeyRing fleetKey) {
        JsonNode body = env.get("body");
        if (body == null || !body.path("ref").isTextual() || !body.has("sealed")) {
            throw new IllegalArgumentException("the fleet record is not sealed to the fleet key");
        }
        String ref = body.get("ref").asText();
        JsonNode clear = fleetKey.open(body.get("sealed"), FleetKeyRing.recordAad(env.path("id").asText(),
                env.path("kind").asText(), env.path("issued_at").asText(), ref));
        int epoch = body.get("sealed").get("epoch").asInt();
        if (!clear.isObject() || !clear.path("person_id").isTextual()
                || !fleetKey.ref(epoch, clear.get("person_id").asText()).equals(ref)) {
            throw new IllegalArgumentException("the sealed record's person does not match its reference " + ref);
        }
        return clear;
    }

    /** The record with its body opened, or as it is when it is a clear (older version's) record. */
    static ObjectNode opened(JsonNode env, FleetKeyRing fleetKey) {
        ObjectNode copy = env.deepCopy();
        if (env.path("body").has("sealed")) {
            copy.set("body", openBody(env, fleetKey));
        }
        return copy;
    }

    /** The topic reference a sealed record names, or null for a clear one. */
    static String refOf(JsonNode env) {
        JsonNode r = env.path("body").get("ref");
        return r == null || !r.isTextual() ? null : r.asText();
    }
}

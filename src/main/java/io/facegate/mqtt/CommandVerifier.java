package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.config.Yaml;

import java.security.PublicKey;
import java.util.Map;

/**
 * Decides whether a payload is a command an admin signed: within the size limit, a JSON object with a valid id,
 * a well-formed envelope, signed by an admin key of this door, and the signature verifies. It reads nothing from
 * the broker's say-so and touches no state: what fails here never reaches the ledger.
 */
final class CommandVerifier {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    /** A command whose signature verified; the body is not read yet. */
    record Verified(String id, JsonNode env, CommandParser.Envelope envelope) {
    }

    /** Why a payload is not a verified command; {@code id} is null when the payload had none. */
    static final class Refused extends Exception {
        final String id;
        final String code;

        Refused(String id, String code, String message) {
            super(message, null, false, false);
            this.id = id;
            this.code = code;
        }
    }

    private final Map<String, PublicKey> keys;
    private final int maxBytes;

    CommandVerifier(Map<String, PublicKey> keys, int maxBytes) {
        this.keys = Map.copyOf(keys);
        this.maxBytes = maxBytes;
    }

    Verified verify(byte[] payload) throws Refused {
        if (payload.length > maxBytes) {
            throw new Refused(null, "too_large", "command of " + payload.length
                    + " bytes exceeds mqtt.max_command_bytes (" + maxBytes + ")");
        }
        JsonNode env;
        try {
            env = JSON.readTree(payload);
        } catch (Exception e) {
            throw new Refused(null, "malformed", "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (env == null || !env.isObject()) {
            throw new Refused(null, "malformed", "a command is a JSON object");
        }
        String id = CommandParser.text(env, "id");
        if (id == null || !CommandProcessor.ID.matcher(id).matches()) {
            throw new Refused(null, "malformed", "missing or invalid 'id'");
        }
        CommandParser.Envelope e;
        try {
            e = CommandParser.envelope(env);
        } catch (IllegalArgumentException ex) {
            throw new Refused(id, "malformed", ex.getMessage());
        }
        if (!env.hasNonNull("sig")) {
            throw new Refused(id, "signature_missing", "the command is not signed");
        }
        PublicKey key = keys.get(e.keyId());
        if (key == null) {
            throw new Refused(id, "unknown_key", "key " + e.keyId() + " is not an admin key of this door");
        }
        if (!SignedCommand.verify(env, key)) {
            throw new Refused(id, "bad_signature", "signature does not verify with key " + e.keyId());
        }
        return new Verified(id, env, e);
    }
}

package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * A door's reply and its Ed25519 signature with the device key. The signature covers {@value #DOMAIN} followed by the
 * canonical form (see {@link SignedCommand}) of the whole reply without {@code sig}: device, command id, ok, code,
 * message, time, data and key id. A separate domain tag keeps a reply from ever passing as a command.
 */
final class SignedReply {
    public static final String DOMAIN = "facegate-reply-v1\n";

    private SignedReply() {
    }

    /** Adds {@code key_id} and {@code sig} to {@code reply}. */
    public static ObjectNode sign(ObjectNode reply, KeyPair deviceKey) {
        reply.remove("sig");
        reply.put("key_id", AdminKeys.keyId(deviceKey.getPublic()));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(deviceKey.getPrivate());
            s.update(SignedCommand.signedBytes(DOMAIN, reply));
            reply.put("sig", Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing the reply failed: " + e.getMessage(), e);
        }
        return reply;
    }

    public static boolean verify(JsonNode reply, PublicKey doorKey) {
        JsonNode sig = reply.get("sig");
        if (!reply.isObject() || sig == null || !sig.isTextual()) {
            return false;
        }
        return SignedCommand.verifies(DOMAIN, reply, sig.asText(), doorKey);
    }
}

package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A command envelope and its Ed25519 signature.
 *
 * <pre>{"v":1,"id":"…","kind":"unlock","target":"door-1"|"fleet","issued_at":"…Z","expires_at":"…Z",
 *  "key_id":"…","body":{…},"sig":"base64"}</pre>
 *
 * The signature covers {@value #DOMAIN} followed by the canonical form of the envelope without {@code sig}: JSON
 * with object keys sorted (recursively), no insignificant white space, UTF-8. Bodies hold only strings, integers,
 * booleans, arrays and objects (photos and templates as base64 strings), so the form is the same in any language.
 */
final class SignedCommand {
    public static final String DOMAIN = "facegate-command-v1\n";
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    private SignedCommand() {
    }

    /** Builds and signs a command. */
    public static ObjectNode sign(String id, CommandKind kind, String target, Instant issuedAt, Instant expiresAt,
                                  ObjectNode body, PrivateKey key, PublicKey pub) {
        ObjectNode env = JsonNodeFactory.instance.objectNode();
        env.put("v", 1);
        env.put("id", id);
        env.put("kind", kind.wire());
        env.put("target", target);
        env.put("issued_at", issuedAt.toString());
        env.put("expires_at", expiresAt.toString());
        env.put("key_id", AdminKeys.keyId(pub));
        env.set("body", body);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(signedBytes(env));
            env.put("sig", Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
        return env;
    }

    public static boolean verify(JsonNode env, PublicKey key) {
        JsonNode sig = env.get("sig");
        if (sig == null || !sig.isTextual()) {
            return false;
        }
        return verifies(DOMAIN, env, sig.asText(), key);
    }

    /**
     * Whether {@code sigBase64} is an Ed25519 signature by {@code key} of {@link #signedBytes(String, JsonNode)}:
     * commands, replies and fleet manifests each sign under their own domain tag, so one can never pass as another.
     */
    static boolean verifies(String domainTag, JsonNode node, String sigBase64, PublicKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signedBytes(domainTag, node));
            return s.verify(Base64.getDecoder().decode(sigBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The exact bytes a command signs: domain tag plus canonical JSON of everything but {@code sig}. */
    public static byte[] signedBytes(JsonNode env) {
        return signedBytes(DOMAIN, env);
    }

    /** {@code domainTag} followed by the canonical JSON of everything in {@code node} but {@code sig}. */
    static byte[] signedBytes(String domainTag, JsonNode node) {
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        copy.remove("sig");
        byte[] canon = canonical(copy);
        byte[] domain = domainTag.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[domain.length + canon.length];
        System.arraycopy(domain, 0, out, 0, domain.length);
        System.arraycopy(canon, 0, out, domain.length, canon.length);
        return out;
    }

    public static byte[] canonical(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(sorted(n));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 (hex) of the signed bytes: identifies a record's content independent of its transport. */
    public static String digest(JsonNode env) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(signedBytes(env)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                o.set(name, sorted(n.get(name)));
            }
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            n.forEach(e -> a.add(sorted(e)));
            return a;
        }
        return n;
    }
}

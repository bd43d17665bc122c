package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A manifest counts only when an admin key signed exactly it, as a manifest. */
class FleetManifestTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    private final KeyPair admin = AdminKeys.generate();
    private final Map<String, java.security.PublicKey> keys = Map.of(AdminKeys.keyId(admin.getPublic()),
            admin.getPublic());
    private final FleetKeyRing fleet = FleetKeyRing.create();
    private final Instant t = Instant.parse("2025-03-01T08:15:00Z");
    private final List<CommandLedger.Head> heads = List.of(
            new CommandLedger.Head("ada", t.toEpochMilli(), "c-2", false),
            new CommandLedger.Head("ada", t.minusSeconds(5).toEpochMilli(), "c-1", false),
            new CommandLedger.Head("bob", t.minusSeconds(60).toEpochMilli(), "c-0", true));

    @Test
    void keepsTheNewestHeadPerPersonAndVerifies() throws Exception {
        ObjectNode m = FleetManifest.sign("m-1", t, heads, admin.getPrivate(), admin.getPublic(), fleet);
        FleetManifest v = FleetManifest.verify(JSON.writeValueAsBytes(m), keys, fleet);
        assertEquals("c-2", v.heads().get("ada").commandId());
        assertTrue(v.heads().get("bob").removed());
        assertEquals(t, v.issuedAt());
    }

    @Test
    void refusesTamperingUnknownKeysAndCommandSignatures() throws Exception {
        ObjectNode m = FleetManifest.sign("m-1", t, heads, admin.getPrivate(), admin.getPublic(), fleet);
        ObjectNode tampered = m.deepCopy();
        ((ObjectNode) tampered.get("heads")).put("ct", flipLastByte(tampered.get("heads").get("ct").asText()));
        assertThrows(IllegalArgumentException.class, () -> FleetManifest.verify(JSON.writeValueAsBytes(tampered),
                keys, fleet), "a resurrected head");

        KeyPair stranger = AdminKeys.generate();
        ObjectNode foreign = FleetManifest.sign("m-2", t, heads, stranger.getPrivate(), stranger.getPublic(), fleet);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FleetManifest.verify(JSON.writeValueAsBytes(foreign), keys, fleet));
        assertTrue(e.getMessage().contains("not an admin key"), e.getMessage());

        // the same content signed as a command (the command domain) does not verify as a manifest
        ObjectNode asCommand = m.deepCopy();
        asCommand.remove("sig");
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(admin.getPrivate());
        s.update(SignedCommand.signedBytes(asCommand));
        asCommand.put("sig", java.util.Base64.getEncoder().encodeToString(s.sign()));
        assertThrows(IllegalArgumentException.class, () -> FleetManifest.verify(JSON.writeValueAsBytes(asCommand),
                keys, fleet), "a command signature passed as a manifest's");

        ObjectNode future = FleetManifest.sign("m-3", t.minusSeconds(3600), heads, admin.getPrivate(),
                admin.getPublic(), fleet);
        assertThrows(IllegalArgumentException.class, () -> FleetManifest.verify(JSON.writeValueAsBytes(future),
                keys, fleet), "a head newer than its manifest");
        assertThrows(IllegalArgumentException.class, () -> FleetManifest.verify("{".getBytes(), keys, fleet));
    }

    static String flipLastByte(String base64) {
        byte[] b = java.util.Base64.getDecoder().decode(base64);
        b[b.length - 1] ^= 1;
        return java.util.Base64.getEncoder().encodeToString(b);
    }
}

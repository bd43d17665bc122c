package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import io.facegate.gallery.Person;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signed list of every fleet person's newest change (its head), retained on {@code <prefix>/fleet/manifest}.
 * It tells a door what it must hold, so a record the broker drops or withholds is noticed (and a withheld tombstone
 * still removes the person) instead of silently never arriving.
 *
 * <pre>{"v":2,"kind":"fleet_manifest","id":"…","issued_at":"…Z","key_id":"…",
 *  "heads":{"epoch":3,"eph":"…","wrap":"…","ct":"…"},"sig":"base64"}</pre>
 *
 * {@code heads} is sealed to the fleet key ({@link FleetKeyRing}): the person ids in it may be names, which the broker
 * must not read. Plain, it is {@code {"ada":{"id":"…","issued_at":"…Z","removed":false},…}}. Signed like a command
 * (Ed25519, canonical JSON without {@code sig}, over the ciphertext) but under its own domain tag {@value #DOMAIN},
 * so a manifest signature can never pass as a command's and the other way round.
 *
 * @param epoch the fleet key epoch the heads were sealed to: the door fetches records under that epoch's topics
 */
record FleetManifest(String id, Instant issuedAt, String keyId, int epoch, Map<String, CommandLedger.Head> heads) {
    public static final String DOMAIN = "facegate-manifest-v1\n";
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    public FleetManifest {
        heads = Map.copyOf(heads);
    }

    /** Builds and signs a manifest listing {@code heads}. */
    public static ObjectNode sign(String id, Instant issuedAt, Collection<CommandLedger.Head> heads, PrivateKey key,
                                  PublicKey pub, FleetKeyRing fleetKey) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("v", 2);
        m.put("kind", "fleet_manifest");
        m.put("id", id);
        m.put("issued_at", issuedAt.toString());
        m.put("key_id", AdminKeys.keyId(pub));
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        for (CommandLedger.Head head : new TreeMap<>(byPerson(heads)).values()) {
            ObjectNode e = h.putObject(head.personId());
            e.put("id", head.commandId());
            e.put("issued_at", Instant.ofEpochMilli(head.issuedAtMs()).toString());
            e.put("removed", head.removed());
        }
        m.set("heads", fleetKey.seal(h, FleetKeyRing.manifestAad(id, issuedAt.toString())));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(SignedCommand.signedBytes(DOMAIN, m));
            m.put("sig", Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing the manifest failed: " + e.getMessage(), e);
        }
        return m;
    }

    /**
     * Parses, verifies and opens a manifest; throws {@link IllegalArgumentException} naming the cause when it is not
     * one an admin key of {@code keys} signed, is not sealed to an epoch of {@code fleetKey}, or is malformed.
     */
    public static FleetManifest verify(byte[] payload, Map<String, PublicKey> keys, FleetKeyRing fleetKey) {
        JsonNode m;
        try {
            m = JSON.readTree(payload);
        } catch (Exception e) {
            throw new IllegalArgumentException("manifest is not JSON");
        }
        if (m == null || !m.isObject() || !"fleet_manifest".equals(m.path("kind").asText())) {
            throw new IllegalArgumentException("not a fleet manifest");
        }
        if (m.path("v").asInt(0) != 2) {
            throw new IllegalArgumentException("not a v2 (sealed) fleet manifest: re-publish it with this version's"
                    + " admin tool ('facegate admin fleet-key rotate' re-seals the fleet)");
        }
        String id = m.path("id").asText("");
        if (!CommandProcessor.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("manifest has a missing or invalid 'id'");
        }
        String keyId = m.path("key_id").asText("");
        PublicKey key = keys.get(keyId);
        if (key == null) {
            throw new IllegalArgumentException("manifest " + id + " signed by key '" + keyId
                    + "', not an admin key of this door");
        }
        JsonNode sig = m.get("sig");
        if (sig == null || !sig.isTextual() || !SignedCommand.verifies(DOMAIN, m, sig.asText(), key)) {
            throw new IllegalArgumentException("manifest " + id + ": signature does not verify with key " + keyId);
        }
        Instant issued = instant(m.get("issued_at"), "manifest " + id + " issued_at");
        JsonNode h;
        try {
            h = fleetKey.open(m.get("heads"), FleetKeyRing.manifestAad(id, m.path("issued_at").asText()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("manifest " + id + ": " + e.getMessage());
        }
        if (h == null || !h.isObject()) {
            throw new IllegalArgumentException("manifest " + id + " has no 'heads' object");
        }
        Map<String, CommandLedger.Head> heads = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String person = e.getKey();
            JsonNode v = e.getValue();
            String cmd = v.path("id").asText("");
            if (!Person.isValidId(person) || !CommandProcessor.ID.matcher(cmd).matches()
                    || !v.path("removed").isBoolean()) {
                throw new IllegalArgumentException("manifest " + id + ": invalid head for '" + person + "'");
            }
            Instant at = instant(v.get("issued_at"), "manifest " + id + " head of " + person);
            if (at.isAfter(issued)) {
                throw new IllegalArgumentException("manifest " + id + ": head of " + person
                        + " is newer than the manifest");
            }
            heads.put(person, new CommandLedger.Head(person, at.toEpochMilli(), cmd, v.get("removed").asBoolean()));
        }
        return new FleetManifest(id, issued, keyId, m.get("heads").get("epoch").asInt(), heads);
    }

    /** The head a gallery record sets, or null when the record is not a fleet person change. */
    public static CommandLedger.Head headOf(JsonNode record) {
        try {
            CommandKind kind = CommandKind.fromWire(record.path("kind").asText());
            if (!kind.changesPerson) {
                return null;
            }
            return new CommandLedger.Head(record.path("body").path("person_id").asText(),
                    Instant.parse(record.path("issued_at").asText()).toEpochMilli(), record.path("id").asText(),
                    kind == CommandKind.REMOVE_PERSON);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return null;
        }
    }

    /** The newer of two heads of one person by (issued_at, command id); null counts as oldest. */
    public static CommandLedger.Head newer(CommandLedger.Head a, CommandLedger.Head b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isOlderThan(b.issuedAtMs(), b.commandId()) ? b : a;
    }

    private static Map<String, CommandLedger.Head> byPerson(Collection<CommandLedger.Head> heads) {
        Map<String, CommandLedger.Head> out = new TreeMap<>();
        for (CommandLedger.Head h : heads) {
            out.merge(h.personId(), h, FleetManifest::newer);
        }
        return out;
    }

    private static Instant instant(JsonNode n, String what) {
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(what + " is not an ISO-8601 UTC time");
        }
    }
}

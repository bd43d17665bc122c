package io.facegate.mqtt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import io.facegate.gallery.Person;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a command counts, and applies it. The broker is not trusted: a command counts only when an admin
 * key from the configuration signed it, it is addressed to this door (or the fleet), it is within its validity
 * window, it was not used before, and it is well formed. Anything else is refused with an error reply and
 * changes nothing. Replies are signed with the door's device key ({@link SignedReply}).
 *
 * <p>A signed command to this door or the fleet is used once, whatever its outcome: its id is committed to the
 * ledger before any further check or action, so a command refused now (lockdown, quality gate, expired) cannot be
 * replayed later, and a crash or a failing state file after the action cannot leave it replayable either. Unsigned
 * or forged payloads never reach the ledger. Retained gallery records are re-delivered on every connect by design
 * and stay idempotent: see {@link CommandLedger}. Not thread-safe: the caller runs commands one at a time.
 */
public final class CommandProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    static final String ID_PATTERN = "[A-Za-z0-9_.:-]{1,100}";

    /** Where a command came from; gallery records are retained and re-delivered on every connect. */
    public enum Source { DEVICE, FLEET, GALLERY }

    /** The message on {@code <prefix>/<device>/reply}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reply(String commandId, String device, boolean ok, String code, String message, Instant time,
                        Map<String, Object> data) {
        public byte[] json() {
            try {
                return JSON.writeValueAsBytes(this);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final String device;
    private final KeyPair deviceKey;
    private final Map<String, PublicKey> keys;
    private final int maxBytes;
    private final Duration skew;
    private final DeviceActions actions;
    private final CommandLedger ledger;
    private final Clock clock;
    private final Runnable onSyncRequest;
    /** Per person, the newest change a verified fleet manifest named: an older record is never applied. */
    private java.util.function.Function<String, CommandLedger.Head> manifestFloor = person -> null;

    public CommandProcessor(String device, KeyPair deviceKey, Map<String, PublicKey> keys, int maxBytes,
                            Duration skew, DeviceActions actions, CommandLedger ledger, Clock clock,
                            Runnable onSyncRequest) {
        this.device = device;
        this.deviceKey = deviceKey;
        this.keys = Map.copyOf(keys);
        this.maxBytes = maxBytes;
        this.skew = skew;
        this.actions = actions;
        this.ledger = ledger;
        this.clock = clock;
        this.onSyncRequest = onSyncRequest;
    }

    /** The reply as published: JSON signed with the device key. */
    public byte[] signedJson(Reply reply) {
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(reply.json());
            return JSON.writeValueAsBytes(SignedReply.sign(tree, deviceKey));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Person changes older than the fleet manifest's head for that person are skipped (see FleetSync). */
    void manifestFloor(java.util.function.Function<String, CommandLedger.Head> floor) {
        this.manifestFloor = floor;
    }

    /** Handles one command; empty when there is nothing to reply (a gallery record this door already holds). */
    public Optional<Reply> handle(Source source, byte[] payload) {
        if (payload.length > maxBytes) {
            return refuse(null, "too_large", "command of " + payload.length + " bytes exceeds mqtt.max_command_bytes ("
                    + maxBytes + ")");
        }
        JsonNode env;
        try {
            env = JSON.readTree(payload);
        } catch (Exception e) {
            return refuse(null, "malformed", "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (env == null || !env.isObject()) {
            return refuse(null, "malformed", "a command is a JSON object");
        }
        String id = text(env, "id");
        if (id == null || !id.matches(ID_PATTERN)) {
            return refuse(null, "malformed", "missing or invalid 'id'");
        }
        Envelope e;
        try {
            e = Envelope.parse(env);
        } catch (IllegalArgumentException ex) {
            return refuse(id, "malformed", ex.getMessage());
        }
        if (!env.hasNonNull("sig")) {
            return refuse(id, "signature_missing", "the command is not signed");
        }
        PublicKey key = keys.get(e.keyId);
        if (key == null) {
            return refuse(id, "unknown_key", "key " + e.keyId + " is not an admin key of this door");
        }
        if (!SignedCommand.verify(env, key)) {
            return refuse(id, "bad_signature", "signature does not verify with key " + e.keyId);
        }
        if (source == Source.GALLERY) {
            return applyRecord(env, e, id);
        }
        Instant now = clock.instant();
        boolean fresh;
        try {
            fresh = ledger.claim(id, e.kind.wire(), now, e.expiresAt);
        } catch (StateDb.MqttStateException ex) {
            return refuse(id, "state_db", "the door cannot record the command, so it does not run it: "
                    + ex.getMessage());
        }
        if (!fresh) {
            return refuse(id, "replayed", "command " + id + " was already used (" + ledger.outcome(id) + ")");
        }
        boolean targetOk = source == Source.DEVICE ? e.target.equals(device) : e.target.equals(Topics.FLEET);
        if (!targetOk) {
            return refuseUsed(id, "wrong_target", "command for '" + e.target + "' (" + e.kind.wire()
                    + ") is not for this door on this topic");
        }
        if (e.issuedAt.isAfter(now.plus(skew))) {
            return refuseUsed(id, "not_yet_valid", "issued at " + e.issuedAt + ", in the future");
        }
        if (now.isAfter(e.expiresAt)) {
            return refuseUsed(id, "expired", "expired at " + e.expiresAt);
        }
        Body body;
        try {
            body = Body.parse(e.kind, env.get("body"));
        } catch (IllegalArgumentException ex) {
            return refuseUsed(id, "malformed", ex.getMessage());
        }
        CommandLedger.Head newHead = null;
        String digest = SignedCommand.digest(env);
        if (e.kind.changesPerson) {
            long issued = e.issuedAt.toEpochMilli();
            CommandLedger.Head newer = newerChange(body.personId, issued, id);
            if (newer != null) {
                return refuseUsed(id, "stale", "person " + body.personId + " already has a newer change ("
                        + newer.commandId() + ")");
            }
            newHead = new CommandLedger.Head(body.personId, issued, id, e.kind == CommandKind.REMOVE_PERSON);
        }
        if (e.kind == CommandKind.REMOVE_PERSON) {
            // The tombstone goes in before the removal runs: whatever fails next, no older enrollment of this
            // person can be applied any more, so a removed person is never brought back.
            try {
                ledger.complete(id, CommandLedger.CLAIMED, newHead, digest);
            } catch (StateDb.MqttStateException ex) {
                return refuse(id, "state_db", "the door cannot record the removal, so it does not run it: "
                        + ex.getMessage());
            }
        }
        CommandResult result = run(e, body, id);
        if (!result.ok()) {
            return refuseUsed(id, result.code(), result.message());
        }
        try {
            ledger.complete(id, "ok", newHead, digest);
        } catch (StateDb.MqttStateException ex) {
            LOG.error("command {} ({}) ran but its outcome could not be recorded: {}", id, e.kind.wire(),
                    ex.toString());
            return refuse(id, "state_db", "done (" + result.message() + "), but the door could not record it: "
                    + ex.getMessage() + "; the command counts as used");
        }
        return applied(id, e, result, now);
    }

    /**
     * A retained fleet gallery record: applied when newer than the person's head, skipped silently when already
     * held or older (records are re-delivered on every connect), recorded with the head after it was applied.
     */
    private Optional<Reply> applyRecord(JsonNode env, Envelope e, String id) {
        if (!e.target.equals(Topics.FLEET) || !e.kind.changesPerson) {
            return refuse(id, "wrong_target", "command for '" + e.target + "' (" + e.kind.wire()
                    + ") is not for this door on this topic");
        }
        Instant now = clock.instant();
        if (e.issuedAt.isAfter(now.plus(skew))) {
            return refuse(id, "not_yet_valid", "issued at " + e.issuedAt + ", in the future");
        }
        // Retained gallery records outlive any expiry by design; their order per person protects them instead.
        if (ledger.applied(id)) {
            return Optional.empty();
        }
        Body body;
        try {
            body = Body.parse(e.kind, env.get("body"));
        } catch (IllegalArgumentException ex) {
            return refuse(id, "malformed", ex.getMessage());
        }
        long issued = e.issuedAt.toEpochMilli();
        if (newerChange(body.personId, issued, id) != null) {
            return Optional.empty();
        }
        CommandResult result = run(e, body, id);
        if (!result.ok()) {
            return refuse(id, result.code(), result.message());
        }
        ledger.record(id, e.kind.wire(), now, e.expiresAt,
                new CommandLedger.Head(body.personId, issued, id, e.kind == CommandKind.REMOVE_PERSON),
                SignedCommand.digest(env));
        return applied(id, e, result, now);
    }

    /**
     * The change that makes this one stale: the person's head on this door, or the newer head a verified fleet
     * manifest named (a withheld record never lets an older one through); null when this change is the newest.
     */
    private CommandLedger.Head newerChange(String personId, long issued, String id) {
        CommandLedger.Head head = ledger.head(personId);
        if (head != null && !head.isOlderThan(issued, id)) {
            return head;
        }
        CommandLedger.Head floor = manifestFloor.apply(personId);
        return floor != null && !floor.isOlderThan(issued, id) && !floor.commandId().equals(id) ? floor : null;
    }

    private CommandResult run(Envelope e, Body body, String id) {
        String by = "admin:" + e.keyId;
        try {
            return switch (e.kind) {
                case ENROLL -> actions.enroll(body.enroll);
                case UPDATE_PERSON -> actions.updatePerson(body.update);
                case REMOVE_PERSON -> actions.removePerson(body.personId);
                case UNLOCK -> actions.unlock(body.unlock, by);
                case LOCKDOWN -> actions.lockdown(body.lockdownOn, by);
                case SYNC_GALLERY -> CommandResult.ok("re-reading the fleet gallery records");
                case CAPTURE_FACES -> actions.captureFaces(body.captureFolder, body.captureFor, by);
                case DELETE_CAPTURE -> actions.deleteCapture(body.captureFolder, by);
            };
        } catch (RuntimeException ex) {
            LOG.warn("command {} ({}) failed: {}", id, e.kind.wire(), ex.toString());
            return CommandResult.error("internal", "the device failed to apply it: " + ex.getMessage());
        }
    }

    private Optional<Reply> applied(String id, Envelope e, CommandResult result, Instant now) {
        if (e.kind == CommandKind.SYNC_GALLERY && onSyncRequest != null) {
            onSyncRequest.run();
        }
        LOG.info("applied command {} ({}) from key {}", id, e.kind.wire(), e.keyId);
        Map<String, Object> data = new LinkedHashMap<>(result.data());
        data.putAll(stateData());
        return Optional.of(new Reply(id, device, true, "ok", result.message(), now, data));
    }

    /** Gallery state for replies and health: content (from the gallery) and sync version (from the ledger). */
    public Map<String, Object> stateData() {
        GalleryState g = actions.galleryState();
        CommandLedger.SyncState s = ledger.syncState();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gallery_version", s.version());
        m.put("gallery_heads_hash", s.headsHash());
        m.put("gallery_content_hash", g.contentHash());
        m.put("gallery_persons", g.persons());
        return m;
    }

    /** Refuses a claimed command and records why; the claim alone already makes it count as used. */
    private Optional<Reply> refuseUsed(String id, String code, String message) {
        try {
            ledger.complete(id, code, null, null);
        } catch (StateDb.MqttStateException ex) {
            LOG.warn("command {}: outcome {} not recorded ({}); the id stays used", id, code, ex.toString());
        }
        return refuse(id, code, message);
    }

    private Optional<Reply> refuse(String id, String code, String message) {
        LOG.warn("refused command {}: {} ({})", id == null ? "(no id)" : id, code, message);
        return Optional.of(new Reply(id, device, false, code, message, clock.instant(), null));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private record Envelope(CommandKind kind, String target, Instant issuedAt, Instant expiresAt, String keyId) {
        static Envelope parse(JsonNode env) {
            JsonNode v = env.get("v");
            if (v == null || !v.isInt() || v.asInt() != 1) {
                throw new IllegalArgumentException("'v' must be 1");
            }
            CommandKind kind = CommandKind.fromWire(require(env, "kind"));
            String target = require(env, "target");
            Instant issued = instant(env, "issued_at");
            Instant expires = instant(env, "expires_at");
            if (!expires.isAfter(issued)) {
                throw new IllegalArgumentException("'expires_at' must be after 'issued_at'");
            }
            String keyId = require(env, "key_id");
            if (!env.path("body").isObject()) {
                throw new IllegalArgumentException("'body' must be an object");
            }
            return new Envelope(kind, target, issued, expires, keyId);
        }
    }

    /** The parsed body of one kind; only the fields of that kind are set. */
    private static final class Body {
        String personId;
        EnrollRequest enroll;
        PersonUpdate update;
        Duration unlock;
        boolean lockdownOn;
        String captureFolder;
        Duration captureFor;

        static Body parse(CommandKind kind, JsonNode b) {
            Body out = new Body();
            switch (kind) {
                case ENROLL -> {
                    out.personId = person(b);
                    List<byte[]> photos = new ArrayList<>();
                    for (JsonNode p : b.path("photos")) {
                        photos.add(base64(p, "photos[]"));
                    }
                    List<float[]> templates = new ArrayList<>();
                    for (JsonNode t : b.path("templates")) {
                        byte[] raw = base64(t, "templates[]");
                        if (raw.length == 0 || raw.length % 4 != 0) {
                            throw new IllegalArgumentException("a template is base64 of float32 little-endian");
                        }
                        float[] f = new float[raw.length / 4];
                        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                        for (float x : f) {
                            if (!Float.isFinite(x)) {
                                throw new IllegalArgumentException("a template holds a non-finite value");
                            }
                        }
                        templates.add(f);
                    }
                    String model = optText(b, "model_sha256");
                    if (photos.isEmpty() == templates.isEmpty()) {
                        throw new IllegalArgumentException("enroll needs photos or templates (one of them)");
                    }
                    if (!templates.isEmpty() && (model == null || !model.matches("[0-9a-f]{64}"))) {
                        throw new IllegalArgumentException("templates need 'model_sha256' (64 hex digits)");
                    }
                    out.enroll = new EnrollRequest(out.personId, displayName(b), groups(b, true),
                            !b.has("enabled") || bool(b, "enabled"), optInstant(b, "valid_from"),
                            optInstant(b, "valid_until"), photos, templates, model);
                }
                case UPDATE_PERSON -> {
                    out.personId = person(b);
                    out.update = new PersonUpdate(out.personId, optText(b, "display_name"), groups(b, false),
                            b.has("enabled") ? bool(b, "enabled") : null, optInstant(b, "valid_from"),
                            optInstant(b, "valid_until"), b.path("clear_valid_from").asBoolean(false),
                            b.path("clear_valid_until").asBoolean(false));
                }
                case REMOVE_PERSON -> out.personId = person(b);
                case UNLOCK -> {
                    JsonNode s = b.get("seconds");
                    if (s == null || !s.canConvertToInt() || !s.isIntegralNumber() || s.asInt() < 1
                            || s.asInt() > 3600) {
                        throw new IllegalArgumentException("unlock needs 'seconds' between 1 and 3600");
                    }
                    out.unlock = Duration.ofSeconds(s.asInt());
                }
                case LOCKDOWN -> out.lockdownOn = bool(b, "on");
                case SYNC_GALLERY -> {
                    // no fields
                }
                case CAPTURE_FACES -> {
                    out.captureFolder = captureFolder(b);
                    out.captureFor = Duration.ofSeconds(seconds(b, "capture_faces", CAPTURE_MAX_SECONDS));
                }
                case DELETE_CAPTURE -> out.captureFolder = captureFolder(b);
            }
            return out;
        }

        /** A plain folder name (no path): captures stay under the folder the daemon's configuration names. */
        private static String captureFolder(JsonNode b) {
            String f = optText(b, "folder");
            if (f == null || !CAPTURE_FOLDER.matcher(f).matches()) {
                throw new IllegalArgumentException("'folder' must be a name of 1-64 letters, digits, '_' or '-'"
                        + " (starting with a letter or digit)");
            }
            return f;
        }

        private static int seconds(JsonNode b, String what, int max) {
            JsonNode s = b.get("seconds");
            if (s == null || !s.isIntegralNumber() || !s.canConvertToInt() || s.asInt() < 1 || s.asInt() > max) {
                throw new IllegalArgumentException(what + " needs 'seconds' between 1 and " + max);
            }
            return s.asInt();
        }

        private static String person(JsonNode b) {
            String p = optText(b, "person_id");
            Person.requireValidId(p); // the gallery's rule: what the CLI enrolls, commands can change
            return p;
        }

        private static String displayName(JsonNode b) {
            String n = optText(b, "display_name");
            if (n == null || n.isBlank() || n.length() > 200) {
                throw new IllegalArgumentException("'display_name' is required (at most 200 characters)");
            }
            return n;
        }

        private static Set<String> groups(JsonNode b, boolean required) {
            JsonNode g = b.get("groups");
            if (g == null || g.isNull()) {
                return required ? Set.of() : null;
            }
            if (!g.isArray()) {
                throw new IllegalArgumentException("'groups' must be an array of strings");
            }
            Set<String> out = new LinkedHashSet<>();
            for (JsonNode e : g) {
                if (!e.isTextual()) {
                    throw new IllegalArgumentException("'groups' must be an array of strings");
                }
                out.add(e.asText());
            }
            return out;
        }

        private static boolean bool(JsonNode b, String f) {
            JsonNode v = b.get(f);
            if (v == null || !v.isBoolean()) {
                throw new IllegalArgumentException("'" + f + "' must be true or false");
            }
            return v.asBoolean();
        }

        private static byte[] base64(JsonNode n, String what) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("'" + what + "' must be base64 strings");
            }
            try {
                return Base64.getDecoder().decode(n.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + what + "' is not valid base64");
            }
        }
    }

    /** Longest capture one command may ask for. */
    public static final int CAPTURE_MAX_SECONDS = 600;
    public static final java.util.regex.Pattern CAPTURE_FOLDER =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private static String require(JsonNode n, String f) {
        String v = text(n, f);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing '" + f + "'");
        }
        return v;
    }

    private static String optText(JsonNode n, String f) {
        JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + f + "' must be a string");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode n, String f) {
        try {
            return Instant.parse(require(n, f));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + f + "' is not an ISO-8601 UTC time");
        }
    }

    private static Instant optInstant(JsonNode n, String f) {
        return n.hasNonNull(f) ? instant(n, f) : null;
    }
}

package io.facegate.mqtt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import io.facegate.mqtt.CommandParser.Body;
import io.facegate.mqtt.CommandParser.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a command counts, and applies it. The broker is not trusted: a command counts only when an admin
 * key from the configuration signed it ({@link CommandVerifier}), it is addressed to this door (or the fleet), it
 * is within its validity window, it was not used before, and it is well formed ({@link CommandParser}). Anything
 * else is refused with an error reply and changes nothing. Replies are signed with the door's device key
 * ({@link SignedReply}). This class runs the checks that need state (ledger, clock) and dispatches the command.
 *
 * <p>A signed command to this door or the fleet is used once, whatever its outcome: its id is committed to the
 * ledger before any further check or action, so a command refused now (lockdown, quality gate, expired) cannot be
 * replayed later, and a crash or a failing state file after the action cannot leave it replayable either. Unsigned
 * or forged payloads never reach the ledger. Retained gallery records are re-delivered on every connect by design
 * and stay idempotent: see {@link CommandLedger}. Not thread-safe: the caller runs commands one at a time.
 */
final class CommandProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    static final String ID_PATTERN = "[A-Za-z0-9_.:-]{1,100}";
    /** {@link #ID_PATTERN} compiled once: a manifest checks one id per person it names. */
    static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile(ID_PATTERN);

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
    private final CommandVerifier verifier;
    private final Duration skew;
    private final DeviceActions actions;
    private final CommandLedger ledger;
    private final Clock clock;
    private final Runnable onSyncRequest;
    /** Per person, the newest change a verified fleet manifest named: an older record is never applied. */
    private java.util.function.Function<String, CommandLedger.Head> manifestFloor = person -> null;
    /** Opens a verified gallery record's sealed body (see {@link SealedRecord}); none: fleet sync is off. */
    private java.util.function.Function<JsonNode, JsonNode> recordBody = env -> {
        throw new IllegalArgumentException("fleet sync is off on this door (no mqtt.fleet_key_file)");
    };

    public CommandProcessor(String device, KeyPair deviceKey, Map<String, PublicKey> keys, int maxBytes,
                            Duration skew, DeviceActions actions, CommandLedger ledger, Clock clock,
                            Runnable onSyncRequest) {
        this.device = device;
        this.deviceKey = deviceKey;
        this.verifier = new CommandVerifier(keys, maxBytes);
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

    /** How a verified gallery record's body is opened: with the door's fleet key. */
    void recordBody(java.util.function.Function<JsonNode, JsonNode> opener) {
        this.recordBody = opener;
    }

    /** Handles one command; empty when there is nothing to reply (a gallery record this door already holds). */
    public Optional<Reply> handle(Source source, byte[] payload) {
        CommandVerifier.Verified v;
        try {
            v = verifier.verify(payload);
        } catch (CommandVerifier.Refused r) {
            return refuse(r.id, r.code, r.getMessage());
        }
        String id = v.id();
        JsonNode env = v.env();
        Envelope e = v.envelope();
        if (source == Source.GALLERY) {
            return applyRecord(env, e, id);
        }
        Instant now = clock.instant();
        boolean fresh;
        try {
            fresh = ledger.claim(id, e.kind().wire(), now, e.expiresAt());
        } catch (StateDb.MqttStateException ex) {
            return refuse(id, "state_db", "the door cannot record the command, so it does not run it: "
                    + ex.getMessage());
        }
        if (!fresh) {
            return refuse(id, "replayed", "command " + id + " was already used (" + ledger.outcome(id) + ")");
        }
        boolean targetOk = source == Source.DEVICE ? e.target().equals(device) : e.target().equals(Topics.FLEET);
        if (!targetOk) {
            return refuseUsed(id, "wrong_target", "command for '" + e.target() + "' (" + e.kind().wire()
                    + ") is not for this door on this topic");
        }
        if (e.issuedAt().isAfter(now.plus(skew))) {
            return refuseUsed(id, "not_yet_valid", "issued at " + e.issuedAt() + ", in the future");
        }
        if (now.isAfter(e.expiresAt())) {
            return refuseUsed(id, "expired", "expired at " + e.expiresAt());
        }
        Body body;
        try {
            body = CommandParser.body(e.kind(), env.get("body"));
        } catch (IllegalArgumentException ex) {
            return refuseUsed(id, "malformed", ex.getMessage());
        }
        CommandLedger.Head newHead = null;
        String digest = SignedCommand.digest(env);
        if (e.kind().changesPerson) {
            long issued = e.issuedAt().toEpochMilli();
            CommandLedger.Head newer = newerChange(body.personId(), issued, id);
            if (newer != null) {
                return refuseUsed(id, "stale", "person " + body.personId() + " already has a newer change ("
                        + newer.commandId() + ")");
            }
            newHead = new CommandLedger.Head(body.personId(), issued, id, e.kind() == CommandKind.REMOVE_PERSON);
        }
        if (e.kind() == CommandKind.REMOVE_PERSON) {
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
            LOG.error("command {} ({}) ran but its outcome could not be recorded: {}", id, e.kind().wire(),
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
        if (!e.target().equals(Topics.FLEET) || !e.kind().changesPerson) {
            return refuse(id, "wrong_target", "command for '" + e.target() + "' (" + e.kind().wire()
                    + ") is not for this door on this topic");
        }
        Instant now = clock.instant();
        if (e.issuedAt().isAfter(now.plus(skew))) {
            return refuse(id, "not_yet_valid", "issued at " + e.issuedAt() + ", in the future");
        }
        // Retained gallery records outlive any expiry by design; their order per person protects them instead.
        if (ledger.applied(id)) {
            return Optional.empty();
        }
        JsonNode clear;
        try {
            clear = recordBody.apply(env);
        } catch (IllegalArgumentException ex) {
            return refuse(id, "sealed", ex.getMessage());
        }
        Body body;
        try {
            body = CommandParser.body(e.kind(), clear);
        } catch (IllegalArgumentException ex) {
            LOG.warn("fleet record {} refused: {}", id, ex.getMessage());
            return refuse(id, "malformed", "the sealed body is malformed (the door's log says why)");
        }
        long issued = e.issuedAt().toEpochMilli();
        if (newerChange(body.personId(), issued, id) != null) {
            return Optional.empty();
        }
        CommandResult result = run(e, body, id);
        if (!result.ok()) {
            // the reply topic is not sealed: the person and the cause stay in the door's log
            LOG.warn("fleet record {} refused: {} {}", id, result.code(), result.message());
            return refuse(id, result.code(), "the sealed fleet record was refused (the door's log says why)");
        }
        ledger.record(id, e.kind().wire(), now, e.expiresAt(),
                new CommandLedger.Head(body.personId(), issued, id, e.kind() == CommandKind.REMOVE_PERSON),
                SignedCommand.digest(env));
        LOG.info("fleet record {}: {}", id, result.message());
        return applied(id, e, CommandResult.ok("applied the sealed fleet record"), now);
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
        String by = "admin:" + e.keyId();
        try {
            return switch (e.kind()) {
                case ENROLL -> actions.enroll(body.enroll());
                case UPDATE_PERSON -> actions.updatePerson(body.update());
                case REMOVE_PERSON -> actions.removePerson(body.personId());
                case UNLOCK -> actions.unlock(body.unlock(), by);
                case LOCKDOWN -> actions.lockdown(body.lockdownOn(), by);
                case SYNC_GALLERY -> CommandResult.ok("re-reading the fleet gallery records");
                case CAPTURE_FACES -> actions.captureFaces(body.capture().folder(), body.capture().duration(), by);
                case DELETE_CAPTURE -> actions.deleteCapture(body.capture().folder(), by);
            };
        } catch (RuntimeException ex) {
            LOG.warn("command {} ({}) failed: {}", id, e.kind().wire(), ex.toString());
            return CommandResult.error("internal", "the device failed to apply it: " + ex.getMessage());
        }
    }

    private Optional<Reply> applied(String id, Envelope e, CommandResult result, Instant now) {
        if (e.kind() == CommandKind.SYNC_GALLERY && onSyncRequest != null) {
            onSyncRequest.run();
        }
        LOG.info("applied command {} ({}) from key {}", id, e.kind().wire(), e.keyId());
        Map<String, Object> data = new LinkedHashMap<>(result.data());
        data.putAll(stateData());
        return Optional.of(new Reply(id, device, true, "ok", result.message(), now, data));
    }

    /**
     * The reply for a fleet removal this door took from the signed manifest because the tombstone record never
     * arrived; like any fleet reply it names no person.
     */
    Reply removedFromManifest(CommandLedger.Head head) {
        return new Reply(head.commandId(), device, true, "ok",
                "removed as the signed fleet manifest says (the tombstone record never arrived)", clock.instant(),
                stateData());
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

}

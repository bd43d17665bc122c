package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A signed command counts once, whatever its outcome: the real {@link CommandProcessor} and {@link CommandLedger} on
 * a real SQLite state file, over the production handler ({@link TestGallery}: DaemonActions, the real gallery and
 * the real door controller on Pi4J's mock relay).
 */
class CommandUsedOnceTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    @TempDir
    Path dir;

    private final KeyPair admin = AdminKeys.generate();
    private StateDb db;
    private CommandLedger ledger;
    private TestGallery door;

    @BeforeEach
    void open() throws Exception {
        db = StateDb.open(dir.resolve("state.db"));
        ledger = new CommandLedger(db);
        door = new TestGallery(dir, "door-1");
    }

    @AfterEach
    void close() throws Exception {
        door.close();
        db.close();
    }

    /** How often the real relay was driven open. */
    private long unlocks() {
        return door.doorLog().stream().filter(l -> l.startsWith("UNLOCKED")).count();
    }

    @Test
    void anUnlockRefusedInLockdownCannotBeReplayedAfterLockdownOff() {
        CommandProcessor p = processor(door.actions);
        assertTrue(p.handle(CommandProcessor.Source.DEVICE, cmd(CommandKind.LOCKDOWN, lockdown(true))).orElseThrow()
                .ok());
        byte[] unlock = cmd(CommandKind.UNLOCK, unlock(5));
        CommandProcessor.Reply refused = p.handle(CommandProcessor.Source.DEVICE, unlock).orElseThrow();
        assertEquals("refused", refused.code(), refused.toString());
        assertTrue(refused.message().contains("lockdown"), refused.message());
        assertTrue(p.handle(CommandProcessor.Source.DEVICE, cmd(CommandKind.LOCKDOWN, lockdown(false))).orElseThrow()
                .ok());

        CommandProcessor.Reply replay = p.handle(CommandProcessor.Source.DEVICE, unlock).orElseThrow();

        assertEquals("replayed", replay.code(), replay.toString());
        assertEquals(0, unlocks(), door.doorLog().toString());
    }

    @Test
    void anEnrollmentRefusedByTheQualityGateCannotBeReplayed() {
        CommandProcessor p = processor(door.actions);
        ObjectNode body = BadCommandTest.enrollBody("p1", "Tiny", TestDoor.tiny(1, 16));
        byte[] enroll = cmd(CommandKind.ENROLL, body);
        assertEquals("quality_gate", p.handle(CommandProcessor.Source.DEVICE, enroll).orElseThrow().code());
        assertEquals("replayed", p.handle(CommandProcessor.Source.DEVICE, enroll).orElseThrow().code());
        assertEquals(Set.of(), door.personIds());
    }

    @Test
    void aCommandWhoseOutcomeCannotBeRecordedAfterItRanIsNotReplayable() {
        // the state file starts failing while the door opens: the ledger write after the action fails
        DeviceActions failingAfterUnlock = new ForwardingActions(door.actions) {
            @Override
            public CommandResult unlock(Duration d, String by) {
                CommandResult r = super.unlock(d, by);
                breakLedgerWrites();
                return r;
            }
        };
        CommandProcessor p = processor(failingAfterUnlock);
        byte[] unlock = cmd(CommandKind.UNLOCK, unlock(5));
        Optional<CommandProcessor.Reply> first;
        try {
            first = p.handle(CommandProcessor.Source.DEVICE, unlock);
        } catch (StateDb.MqttStateException e) {
            first = Optional.empty(); // how the unfixed processor failed: no reply at all
        }
        repairLedgerWrites();

        CommandProcessor.Reply replay = processor(door.actions).handle(CommandProcessor.Source.DEVICE, unlock).orElseThrow();

        assertEquals("replayed", replay.code(), replay.toString());
        assertEquals(1, unlocks(), "the door opened again on a replay: " + door.doorLog());
        assertTrue(first.isPresent(), "the admin is told what happened");
        assertFalse(first.get().ok());
        assertEquals("state_db", first.get().code(), first.get().toString());
        assertTrue(first.get().message().contains("unlocked"), first.get().message());
    }

    @Test
    void aCommandTheDoorCannotRecordDoesNotRun() {
        breakLedgerWrites();
        CommandProcessor.Reply r = processor(door.actions).handle(CommandProcessor.Source.DEVICE,
                cmd(CommandKind.UNLOCK, unlock(5))).orElseThrow();
        assertEquals("state_db", r.code(), r.toString());
        assertEquals(0, unlocks(), door.doorLog().toString());
    }

    @Test
    void unsignedAndForgedCommandsLeaveNoTraceInTheLedger() throws Exception {
        CommandProcessor p = processor(door.actions);
        ObjectNode unsigned = sign(CommandKind.UNLOCK, "door-1", unlock(5), admin);
        unsigned.remove("sig");
        KeyPair stranger = AdminKeys.generate();
        ObjectNode forged = SignedCommand.sign(UUID.randomUUID().toString(), CommandKind.UNLOCK, "door-1",
                Instant.now(), Instant.now().plusSeconds(60), unlock(5), stranger.getPrivate(), admin.getPublic());
        ObjectNode unknown = sign(CommandKind.UNLOCK, "door-1", unlock(5), stranger);
        for (ObjectNode c : new ObjectNode[] {unsigned, forged, unknown}) {
            assertFalse(p.handle(CommandProcessor.Source.DEVICE, JSON.writeValueAsBytes(c)).orElseThrow().ok());
            assertFalse(ledger.applied(c.get("id").asText()), c.toString());
        }
        assertEquals(0, unlocks(), door.doorLog().toString());
    }

    @Test
    void personIdsFollowTheGalleryRuleOnEveryPath() {
        CommandProcessor p = processor(door.actions);
        String id = "ada@example.com";
        CommandProcessor.Reply enrolled = p.handle(CommandProcessor.Source.DEVICE,
                cmd(CommandKind.ENROLL, templateEnroll(id))).orElseThrow();
        assertTrue(enrolled.ok(), enrolled.toString());
        CommandProcessor.Reply updated = p.handle(CommandProcessor.Source.DEVICE, cmd(CommandKind.UPDATE_PERSON,
                JsonNodeFactory.instance.objectNode().put("person_id", id).put("display_name", "Ada L.")))
                .orElseThrow();
        assertTrue(updated.ok(), updated.toString());
        CommandProcessor.Reply removed = p.handle(CommandProcessor.Source.DEVICE, cmd(CommandKind.REMOVE_PERSON,
                JsonNodeFactory.instance.objectNode().put("person_id", id))).orElseThrow();
        assertTrue(removed.ok(), removed.toString());
        assertEquals(Set.of(), door.personIds());

        CommandProcessor.Reply slash = p.handle(CommandProcessor.Source.DEVICE, cmd(CommandKind.REMOVE_PERSON,
                JsonNodeFactory.instance.objectNode().put("person_id", "a/b"))).orElseThrow();
        assertEquals("malformed", slash.code());
        assertTrue(slash.message().contains("a/b"), slash.message());
    }

    @Test
    void aRetainedGalleryRecordStaysIdempotentAcrossRedeliveries() {
        CommandProcessor p = processor(door.actions);
        FleetKeyRing fleetKey = FleetKeyRing.create();
        p.recordBody(env -> SealedRecord.openBody(env, fleetKey));
        byte[] record = bytes(SealedRecord.seal(sign(CommandKind.ENROLL, Topics.FLEET, templateEnroll("ada"), admin),
                fleetKey, admin.getPrivate(), admin.getPublic()));
        assertTrue(p.handle(CommandProcessor.Source.GALLERY, record).orElseThrow().ok());
        assertEquals(Optional.empty(), p.handle(CommandProcessor.Source.GALLERY, record),
                "a re-delivered record this door holds is skipped silently");
        assertEquals(Set.of("ada"), door.personIds());
    }

    private CommandProcessor processor(DeviceActions actions) {
        return new CommandProcessor("door-1", AdminKeys.generate(),
                Map.of(AdminKeys.keyId(admin.getPublic()), admin.getPublic()), 1 << 20, Duration.ofSeconds(60),
                actions, ledger, Clock.systemUTC(), null);
    }

    /** Every write to the used-ids table fails from now on, as on a full or failing disk. */
    private void breakLedgerWrites() {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                for (String op : new String[] {"INSERT", "UPDATE"}) {
                    s.execute("CREATE TEMP TRIGGER IF NOT EXISTS fail_" + op + " BEFORE " + op
                            + " ON main.applied_commands BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END");
                }
            }
            return null;
        });
    }

    private void repairLedgerWrites() {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("DROP TRIGGER IF EXISTS temp.fail_INSERT");
                s.execute("DROP TRIGGER IF EXISTS temp.fail_UPDATE");
            }
            return null;
        });
    }

    private byte[] cmd(CommandKind kind, ObjectNode body) {
        return bytes(sign(kind, "door-1", body, admin));
    }

    private static ObjectNode sign(CommandKind kind, String target, ObjectNode body, KeyPair key) {
        Instant now = Instant.now();
        return SignedCommand.sign(UUID.randomUUID().toString(), kind, target, now, now.plusSeconds(300), body,
                key.getPrivate(), key.getPublic());
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode unlock(int s) {
        return JsonNodeFactory.instance.objectNode().put("seconds", s);
    }

    private static ObjectNode lockdown(boolean on) {
        return JsonNodeFactory.instance.objectNode().put("on", on);
    }

    private static ObjectNode templateEnroll(String id) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("person_id", id);
        body.put("display_name", "Ada");
        body.putArray("groups").add("staff");
        body.putArray("templates").add(TestGallery.template(7));
        body.put("model_sha256", TestGallery.modelSha256());
        return body;
    }

    /** Passes every action to the door; tests override the one that misbehaves. */
    private static class ForwardingActions implements DeviceActions {
        private final DeviceActions d;

        ForwardingActions(DeviceActions d) {
            this.d = d;
        }

        @Override
        public CommandResult enroll(EnrollRequest r) {
            return d.enroll(r);
        }

        @Override
        public CommandResult updatePerson(PersonUpdate u) {
            return d.updatePerson(u);
        }

        @Override
        public CommandResult removePerson(String id) {
            return d.removePerson(id);
        }

        @Override
        public CommandResult unlock(Duration duration, String by) {
            return d.unlock(duration, by);
        }

        @Override
        public CommandResult lockdown(boolean on, String by) {
            return d.lockdown(on, by);
        }

        @Override
        public GalleryState galleryState() {
            return d.galleryState();
        }
    }
}

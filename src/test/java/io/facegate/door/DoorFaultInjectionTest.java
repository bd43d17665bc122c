package io.facegate.door;

import io.facegate.access.Decision;
import io.facegate.config.DoorConfig;
import io.facegate.door.DoorEvent.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.facegate.door.DoorEvent.Type.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The relay fails: on lock, on unlock, by not moving, by a read-back that is wrong or throws; and recovers. The
 * door must never report a state the hardware did not read back, never grant without the relay read back
 * unlocked, and keep trying to lock until the read-back confirms it.
 */
class DoorFaultInjectionTest {
    private final ManualTime time = new ManualTime();
    private final DoorConfig cfg = DoorRig.parse("");
    private final FakeDoorHardware hw = new FakeDoorHardware(cfg.lockedEnergised());
    private final DoorController door = new DoorController(hw, cfg, time, time);
    private final List<DoorEvent> events = Collections.synchronizedList(new ArrayList<>());

    DoorFaultInjectionTest() {
        door.addListener(events::add);
    }

    @AfterEach
    void close() {
        door.close();
    }

    private boolean grant(String person) {
        return door.grant(Decision.grant(person, person, 0.8, 0.9, 1, time.instant()));
    }

    private List<Type> takeTypes() {
        synchronized (events) {
            List<Type> t = events.stream().map(DoorEvent::type).toList();
            events.clear();
            return t;
        }
    }

    /** Finding 2: the relay fails while locking; the door must not say LOCKED. */
    @Test
    void aRelayThatFailsToLockIsNotReportedLocked() {
        door.start();
        assertTrue(grant("alice"));
        takeTypes();
        hw.failLock = true;
        time.advanceMillis(cfg.unlockMs());
        assertFalse(hw.physicallyLocked(), "the coil is still unlocked");
        List<Type> seen = takeTypes();
        assertTrue(seen.contains(FAULT), "the fault is reported: " + seen);
        assertFalse(seen.contains(LOCKED), "LOCKED while the relay is unlocked: " + seen);
        assertTrue(door.state().unlocked(), "state() must say what the relay is: unlocked");
        assertTrue(door.state().faulted());
    }

    /** Finding 2: nothing retried the lock. */
    @Test
    void theLockIsRetriedUntilTheRelayLocks() {
        door.start();
        assertTrue(grant("alice"));
        hw.failLock = true;
        time.advanceMillis(cfg.unlockMs());
        time.advanceMillis(2_000);
        assertFalse(hw.physicallyLocked());
        hw.failLock = false; // the driver recovers
        time.advanceMillis(60_000);
        assertTrue(hw.physicallyLocked(), "the retry locked the relay");
        assertFalse(door.state().unlocked());
        assertFalse(door.state().faulted(), "the fault cleared once the read-back said locked");
    }

    /** Finding 8b: grant() true although the relay never switched (the read-back says locked). */
    @Test
    void grantIsFalseWhenTheRelayDoesNotSwitch() {
        door.start();
        hw.stuckEnergised = cfg.lockedEnergised(); // the command is accepted, the coil stays locked
        assertFalse(grant("alice"), "the relay did not switch");
        assertTrue(hw.physicallyLocked());
        assertFalse(door.state().unlocked());
        assertTrue(door.state().faulted());
        assertFalse(takeTypes().contains(UNLOCKED), "UNLOCKED for a relay that did not move");
    }

    /** A read-back that disagrees with the command while locking: the door is not reported locked. */
    @Test
    void aReadBackThatSaysUnlockedAfterLockingIsAFault() {
        door.start();
        assertTrue(grant("alice"));
        takeTypes();
        hw.stuckEnergised = !cfg.lockedEnergised(); // welded: stays unlocked
        time.advanceMillis(cfg.unlockMs());
        List<Type> seen = takeTypes();
        assertTrue(seen.contains(FAULT), seen.toString());
        assertFalse(seen.contains(LOCKED), seen.toString());
        assertTrue(door.state().unlocked());
        assertFalse(grant("bob"), "no grant while in fault");
    }

    @Test
    void theRetryBacksOffUpToTheCapAndClearsTheFaultWithAnEvent() {
        door.start();
        hw.failLock = true;
        hw.failUnlock = true;
        assertFalse(grant("alice"));
        assertTrue(door.state().faulted());
        assertTrue(door.state().fault().contains("failed to unlock"), door.state().fault());
        int commands = hw.relayCommands.size();
        // 250, 500, 1000, 2000, 4000, 8000, 10000, 10000 ms: 8 retries within 35.75 s
        time.advanceMillis(35_750);
        assertEquals(8, hw.relayCommands.size() - commands, "capped exponential backoff");
        assertTrue(hw.relayCommands.subList(commands, hw.relayCommands.size()).stream()
                .allMatch(e -> e == cfg.lockedEnergised()), "a retry only ever locks");
        takeTypes();
        hw.heal();
        time.advance(DoorController.LOCK_RETRY_MAX);
        assertEquals(List.of(FAULT_CLEARED), takeTypes(), "locked all along: no LOCKED, just the fault cleared");
        assertFalse(door.state().faulted());
        assertEquals(0, time.pendingTasks(), "the retry loop ended");
        assertTrue(grant("alice"));
    }

    @Test
    void aReadBackThatThrowsIsAFaultAndTheStateIsNotClaimedLocked() {
        door.start();
        assertTrue(grant("alice"));
        hw.failReadBack = true;
        time.advanceMillis(cfg.unlockMs());
        assertTrue(hw.physicallyLocked(), "the lock command itself went through");
        DoorState s = door.state();
        assertTrue(s.faulted());
        assertTrue(s.unlocked(), "a relay that cannot be read back is not known to be locked");
        assertFalse(grant("bob"));
        hw.heal();
        time.advanceMillis(60_000);
        assertFalse(door.state().faulted());
        assertFalse(door.state().unlocked());
        List<Type> seen = takeTypes();
        assertEquals(List.of(LOCKED, FAULT_CLEARED), seen.subList(seen.size() - 2, seen.size()),
                "LOCKED only once the read-back said so: " + seen);
    }

    @Test
    void aChangeUnderTheControllersFeetIsNoticedFromState() {
        door.start();
        takeTypes();
        hw.readBackLies = true; // e.g. a second process or a glitch flips the output
        assertTrue(door.state().unlocked(), "state() says what the hardware reads back");
        time.advance(java.time.Duration.ZERO);
        List<Type> seen = takeTypes();
        assertEquals(FAULT, seen.get(0), seen.toString());
        assertTrue(door.state().faulted());
        hw.heal();
        time.advanceMillis(60_000);
        assertFalse(door.state().faulted());
    }

    @Test
    void inFaultTheExitButtonAndTheAdminHoldOpenAreRefusedAndAnOpeningIsForced() {
        door.start();
        hw.stuckEnergised = !cfg.lockedEnergised(); // welded unlocked
        assertTrue(grant("alice"), "the relay unlocked and read back so");
        time.advanceMillis(cfg.unlockMs()); // the lock does not take
        assertTrue(door.state().faulted());
        takeTypes();
        hw.setInput(DoorHardware.Input.EXIT_BUTTON, true);
        time.advanceMillis(cfg.buttonDebounceMs());
        hw.setInput(DoorHardware.Input.EXIT_BUTTON, false);
        assertEquals(List.of(EXIT_REQUEST), takeTypes());
        assertTrue(events.isEmpty());
        assertFalse(door.setHoldOpen(true, "admin"));
        assertFalse(door.unlockFor(java.time.Duration.ofSeconds(5), "admin"));
        time.advanceMillis(cfg.exitUnlockMs());
        hw.setInput(DoorHardware.Input.CONTACT, true);
        time.advanceMillis(cfg.debounceMs());
        assertTrue(takeTypes().contains(FORCED), "a relay unlocked by a fault authorises nobody");
    }

    @Test
    void holdOpenResumesOnlyAfterTheFaultCleared() {
        door.start();
        assertTrue(door.setHoldOpen(true, "admin"));
        assertTrue(door.state().unlocked());
        hw.failLock = true;
        hw.failUnlock = true;
        hw.readBackLies = true; // reads locked while unlocked
        time.advance(java.time.Duration.ZERO);
        door.state(); // notices
        time.advance(java.time.Duration.ZERO);
        assertTrue(door.state().faulted());
        hw.heal();
        takeTypes();
        time.advanceMillis(60_000);
        List<Type> seen = takeTypes();
        assertEquals(List.of(LOCKED, FAULT_CLEARED, UNLOCKED), seen, "locked and confirmed first, then the rules");
        assertTrue(door.state().unlocked());
        assertFalse(door.state().faulted());
    }

    @Test
    void theIndicatorSoundsDuringAFaultAndStopsWhenItClears() {
        door.start();
        hw.failUnlock = true;
        assertFalse(grant("alice"));
        assertTrue(hw.physicallyLocked());
        assertTrue(hw.indicator(), "the buzzer/LED says something is wrong (indicator_on_alarm)");
        hw.heal();
        time.advance(DoorController.LOCK_RETRY_FIRST);
        assertFalse(door.state().faulted());
        assertFalse(hw.indicator());
    }

    /**
     * A long random walk through grants, unlocks, lockdown, the exit button, the contact, time, injected faults
     * and recoveries, with the invariants checked after every step, for both lock types.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"fail-secure", "fail-safe"})
    void invariantsHoldThroughARandomWalkOfFaults(String lockType) {
        door.close();
        DoorConfig c = DoorRig.parse("lock_type: " + lockType + "\nunlock_ms: 2000\nheld_open_ms: 4000");
        ManualTime t = new ManualTime();
        FakeDoorHardware h = new FakeDoorHardware(c.lockedEnergised());
        List<DoorEvent> log = Collections.synchronizedList(new ArrayList<>());
        try (DoorController d = new DoorController(h, c, t, t)) {
            d.addListener(log::add);
            d.start();
            java.util.Random r = new java.util.Random(42);
            boolean contact = false;
            for (int step = 0; step < 5000; step++) {
                int before = h.relayCommands.size();
                int eventsBefore = log.size();
                boolean faultedBefore = d.state().faulted();
                boolean mayUnlock = false;
                int action = r.nextInt(12);
                String what;
                switch (action) {
                    case 0, 1 -> {
                        what = "grant";
                        boolean ok = d.grant(Decision.grant("p", "p", 0.8, 0.9, 1, t.instant()));
                        mayUnlock = !faultedBefore;
                        if (ok) {
                            assertFalse(faultedBefore, "grant() true while in fault at step " + step);
                            assertFalse(h.relayEnergised() == c.lockedEnergised(),
                                    "grant() true but the relay reads back locked at step " + step);
                            if (!h.readBackLies) {
                                assertFalse(h.physicallyLocked(), "grant() true, relay locked, step " + step);
                            }
                        }
                    }
                    case 2 -> {
                        what = "unlockFor";
                        d.unlockFor(java.time.Duration.ofMillis(1 + r.nextInt(3000)), "admin");
                        mayUnlock = !faultedBefore;
                    }
                    case 3 -> {
                        what = "lock";
                        d.lock("admin");
                    }
                    case 4 -> {
                        what = "lockdown";
                        d.setLockdown(r.nextInt(3) == 0, "admin");
                    }
                    case 5 -> {
                        what = "exit";
                        h.setInput(DoorHardware.Input.EXIT_BUTTON, true);
                        t.advanceMillis(c.buttonDebounceMs());
                        h.setInput(DoorHardware.Input.EXIT_BUTTON, false);
                        t.advanceMillis(c.buttonDebounceMs());
                        // the fault may have cleared while the button was debounced
                        mayUnlock = !faultedBefore || log.subList(eventsBefore, log.size()).stream()
                                .anyMatch(e -> e.type() == FAULT_CLEARED);
                    }
                    case 6 -> {
                        what = "contact";
                        contact = !contact;
                        h.setInput(DoorHardware.Input.CONTACT, contact);
                        t.advanceMillis(c.debounceMs());
                    }
                    case 7 -> {
                        what = "inject";
                        switch (r.nextInt(5)) {
                            case 0 -> h.failLock = true;
                            case 1 -> h.failUnlock = true;
                            case 2 -> h.stuckEnergised = r.nextBoolean();
                            case 3 -> h.readBackLies = true;
                            default -> h.failReadBack = true;
                        }
                    }
                    case 8, 9 -> {
                        what = "heal";
                        h.heal();
                    }
                    default -> {
                        what = "time";
                        t.advanceMillis(r.nextInt(4000));
                    }
                }
                if (!mayUnlock) {
                    for (boolean cmd : h.relayCommands.subList(before, h.relayCommands.size())) {
                        assertEquals(c.lockedEnergised(), cmd, "unlock commanded without a grant: " + what
                                + " at step " + step);
                    }
                }
                assertReportsTheHardware(d, h, c, t, log, "after " + what + " at step " + step);
            }
            h.heal();
            t.advanceMillis(60_000);
            d.setLockdown(false, "admin");
            t.advanceMillis(60_000);
            assertFalse(d.state().faulted(), "recovered once the hardware healed");
            assertTrue(h.physicallyLocked());
            assertTrue(d.grant(Decision.grant("p", "p", 0.8, 0.9, 1, t.instant())));
            assertTrue(log.stream().anyMatch(e -> e.type() == FAULT_CLEARED), "the walk went through recoveries");
        }
    }

    /**
     * state() is the read-back; without a fault the last LOCKED/UNLOCKED event is the read-back too, or the
     * disagreement (a lying read-back nobody has looked at yet) is caught by the check state() scheduled.
     */
    private static void assertReportsTheHardware(DoorController d, FakeDoorHardware h, DoorConfig c, ManualTime t,
                                                 List<DoorEvent> log, String where) {
        Boolean readUnlocked;
        try {
            readUnlocked = h.relayEnergised() != c.lockedEnergised();
        } catch (DoorHardwareException e) {
            readUnlocked = null;
        }
        DoorState s = d.state();
        assertEquals(readUnlocked == null || readUnlocked, s.unlocked(), "state() vs read-back " + where);
        if (s.faulted() || readUnlocked == null) {
            return;
        }
        DoorEvent last = null;
        synchronized (log) {
            for (DoorEvent e : log) {
                if (e.type() == LOCKED || e.type() == UNLOCKED) {
                    last = e;
                }
            }
        }
        if (last != null && (last.type() == UNLOCKED) != readUnlocked) {
            t.advance(java.time.Duration.ZERO); // the check state() scheduled
            assertTrue(d.state().faulted(), "last relay event " + last + " but the read-back says "
                    + (readUnlocked ? "unlocked" : "locked") + " and no fault " + where);
        }
    }
}

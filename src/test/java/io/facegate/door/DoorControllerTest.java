package io.facegate.door;

import com.pi4j.io.gpio.digital.DigitalState;
import io.facegate.access.Decision;
import io.facegate.access.DenialReason;
import io.facegate.config.DoorConfig;
import io.facegate.door.DoorEvent.Type;
import io.facegate.door.DoorHardware.Input;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.facegate.door.DoorEvent.Type.*;
import static org.junit.jupiter.api.Assertions.*;

/** The door state machine on Pi4J's mock provider with a manual clock: every transition. */
class DoorControllerTest {

    @Test
    void startLocksAndReportsLocked() {
        try (DoorRig rig = new DoorRig("").start()) {
            assertEquals(List.of(LOCKED), rig.types());
            assertEquals("start", rig.last().detail());
            assertTrue(rig.relayLocked());
            assertEquals(DigitalState.LOW, rig.relayPin(), "fail-secure active-high: locked = LOW");
            DoorState s = rig.door.state();
            assertFalse(s.unlocked());
            assertEquals(Boolean.FALSE, s.doorOpen());
            assertFalse(s.lockdown() || s.holdOpen() || s.forcedAlarm() || s.heldOpenAlarm() || s.faulted());
        }
    }

    @Test
    void grantUnlocksForUnlockMsThenLocks() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.takeTypes();
            assertTrue(rig.grant("alice"));
            assertEquals(List.of(UNLOCKED), rig.types());
            assertEquals("alice", rig.last().personId());
            assertEquals(DigitalState.HIGH, rig.relayPin());
            assertEquals(rig.now().plusMillis(5000), rig.door.state().unlockedUntil());
            rig.time.advanceMillis(4999);
            assertFalse(rig.relayLocked(), "still unlocked 1 ms before unlock_ms");
            rig.time.advanceMillis(1);
            assertTrue(rig.relayLocked());
            assertEquals(List.of(UNLOCKED, LOCKED), rig.types());
            assertEquals("unlock time over", rig.last().detail());
            assertNull(rig.door.state().unlockedUntil());
        }
    }

    @Test
    void aSecondGrantExtendsAndNeverShortens() {
        try (DoorRig rig = new DoorRig("unlock_ms: 5000").start()) {
            rig.takeTypes();
            rig.grant("alice");
            rig.time.advanceMillis(3000);
            rig.grant("bob");
            assertEquals(List.of(UNLOCKED, UNLOCKED), rig.types());
            assertEquals("bob", rig.last().personId());
            rig.time.advanceMillis(4999);
            assertFalse(rig.relayLocked(), "extended to 3000 + 5000");
            rig.time.advanceMillis(1);
            assertTrue(rig.relayLocked());
            // an admin unlock shorter than what is left does not shorten it
            rig.door.unlockFor(Duration.ofMillis(10_000), "admin:carol");
            rig.time.advanceMillis(1000);
            rig.grant("dave");
            rig.time.advanceMillis(8999);
            assertFalse(rig.relayLocked());
            rig.time.advanceMillis(1);
            assertTrue(rig.relayLocked());
        }
    }

    @Test
    void relockWhenTheDoorClosesAfterOpening() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.takeTypes();
            rig.grant("alice");
            rig.openDoor();
            assertEquals(List.of(UNLOCKED, OPENED), rig.types());
            assertEquals("granted", rig.last().detail());
            assertEquals("alice", rig.last().personId());
            rig.closeDoor();
            assertEquals(List.of(UNLOCKED, OPENED, CLOSED, LOCKED), rig.types());
            assertEquals("relocked on close", rig.last().detail());
            assertTrue(rig.relayLocked());
            assertEquals(0, rig.time.pendingTasks(), "unlock and held-open timers cancelled");
        }
    }

    @Test
    void withoutRelockOnCloseTheUnlockRunsItsTime() {
        try (DoorRig rig = new DoorRig("relock_on_close: false").start()) {
            rig.grant("alice");
            rig.openDoor();
            rig.closeDoor();
            assertFalse(rig.relayLocked());
            rig.time.advanceMillis(5000);
            assertTrue(rig.relayLocked());
        }
    }

    @Test
    void heldOpenAlarmAfterHeldOpenMsAndClearedOnClose() {
        try (DoorRig rig = new DoorRig("held_open_ms: 20000").start()) {
            rig.takeTypes();
            rig.grant("alice");
            rig.openDoor(); // the opening counts once debounced; the held-open clock starts here
            long left = 5000 - rig.cfg.debounceMs();
            rig.time.advanceMillis(left);
            assertEquals(List.of(UNLOCKED, OPENED, LOCKED), rig.types(), "relay relocks while the door is open");
            rig.time.advanceMillis(20_000 - left - 1);
            assertFalse(rig.door.state().heldOpenAlarm());
            rig.time.advanceMillis(1);
            assertEquals(HELD_OPEN, rig.last().type());
            assertTrue(rig.door.state().heldOpenAlarm());
            assertFalse(rig.door.state().forcedAlarm());
            rig.closeDoor();
            assertEquals(CLOSED, rig.last().type());
            assertEquals("alarm cleared", rig.last().detail());
            assertFalse(rig.door.state().heldOpenAlarm());
        }
    }

    @Test
    void doorOpenedWhileLockedIsForced() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.takeTypes();
            rig.openDoor();
            assertEquals(List.of(OPENED, FORCED), rig.types());
            assertTrue(rig.door.state().forcedAlarm());
            assertTrue(rig.relayLocked());
            rig.closeDoor();
            assertEquals(List.of(OPENED, FORCED, CLOSED), rig.types());
            assertFalse(rig.door.state().forcedAlarm());
        }
    }

    @Test
    void doorOpenedAfterTheUnlockEndedIsForced() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.grant("alice");
            rig.time.advanceMillis(5000);
            rig.takeTypes();
            rig.openDoor();
            assertEquals(List.of(OPENED, FORCED), rig.types());
        }
    }

    @Test
    void exitButtonUnlocksAndSuppressesTheForcedAlarm() {
        try (DoorRig rig = new DoorRig("exit_unlock_ms: 4000").start()) {
            rig.takeTypes();
            rig.pressExit();
            assertEquals(List.of(EXIT_REQUEST, UNLOCKED), rig.types());
            assertEquals("exit-button", rig.last().detail());
            assertNull(rig.last().personId());
            assertFalse(rig.relayLocked());
            rig.openDoor();
            assertEquals(OPENED, rig.last().type());
            assertFalse(rig.door.state().forcedAlarm());
            rig.closeDoor();
            assertEquals(List.of(EXIT_REQUEST, UNLOCKED, OPENED, CLOSED, LOCKED), rig.types());
            assertTrue(rig.relayLocked());
        }
    }

    @Test
    void exitButtonWithMechanicalEgressOnlySuppressesTheAlarmForItsWindow() {
        try (DoorRig rig = new DoorRig("exit_unlocks: false\nexit_unlock_ms: 4000").start()) {
            rig.takeTypes();
            rig.pressExit();
            assertEquals(List.of(EXIT_REQUEST), rig.types());
            assertTrue(rig.relayLocked(), "mechanical egress: the relay stays locked");
            rig.openDoor();
            assertEquals(List.of(EXIT_REQUEST, OPENED), rig.types());
            assertEquals("exit request", rig.last().detail());
            rig.closeDoor();
            rig.time.advanceMillis(4000);
            rig.takeTypes();
            rig.openDoor();
            assertEquals(List.of(OPENED, FORCED), rig.types(), "after the exit window the opening is forced");
        }
    }

    @Test
    void lockdownRefusesFacesAdminUnlocksAndTheExitButton() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.grant("alice");
            rig.takeTypes();
            assertTrue(rig.door.setLockdown(true, "admin:root"));
            assertEquals(List.of(LOCKDOWN_ON, LOCKED), rig.types());
            assertTrue(rig.relayLocked(), "lockdown ends a running unlock at once");
            assertTrue(rig.door.state().lockdown());
            rig.takeTypes();

            assertFalse(rig.grant("alice"));
            assertFalse(rig.door.unlockFor(Duration.ofSeconds(5), "admin:bob"));
            assertFalse(rig.door.setHoldOpen(true, "admin:bob"), "admin hold-open cannot override lockdown");
            rig.pressExit();
            assertEquals(List.of(EXIT_REQUEST), rig.types());
            assertEquals("refused: lockdown", rig.last().detail());
            assertTrue(rig.relayLocked());
            rig.time.advanceMillis(60_000);
            assertTrue(rig.relayLocked(), "no timer unlocks during lockdown");

            rig.takeTypes();
            rig.openDoor();
            assertEquals(List.of(OPENED, FORCED), rig.types(), "the exit button did not excuse the opening");
            rig.closeDoor();

            rig.takeTypes();
            assertTrue(rig.door.setLockdown(true, "admin:root"), "idempotent");
            assertEquals(List.of(), rig.types());
            assertTrue(rig.door.setLockdown(false, "admin:root"));
            assertEquals(List.of(LOCKDOWN_OFF), rig.types());
            assertTrue(rig.grant("alice"));
            assertFalse(rig.relayLocked());
        }
    }

    @Test
    void lockdownEndsAdminHoldOpen() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.door.setHoldOpen(true, "admin:bob");
            rig.takeTypes();
            rig.door.setLockdown(true, "admin:root");
            assertEquals(List.of(LOCKDOWN_ON, HOLD_OPEN_OFF, LOCKED), rig.types());
            assertFalse(rig.door.state().holdOpen());
            assertTrue(rig.relayLocked());
        }
    }

    @Test
    void adminHoldOpenKeepsTheDoorUnlockedWithoutHeldOpenAlarm() {
        try (DoorRig rig = new DoorRig("held_open_ms: 10000").start()) {
            rig.takeTypes();
            assertTrue(rig.door.setHoldOpen(true, "admin:bob"));
            assertEquals(List.of(HOLD_OPEN_ON, UNLOCKED), rig.types());
            rig.openDoor();
            rig.time.advanceMillis(3_600_000);
            assertFalse(rig.relayLocked());
            assertFalse(rig.door.state().heldOpenAlarm());
            assertFalse(rig.types().contains(FORCED));
            rig.takeTypes();
            assertTrue(rig.door.setHoldOpen(false, "admin:bob"));
            assertEquals(List.of(HOLD_OPEN_OFF, LOCKED), rig.types());
            rig.time.advanceMillis(10_000);
            assertEquals(HELD_OPEN, rig.last().type(), "held-open clock starts when hold-open ends");
        }
    }

    @Test
    void holdOpenInputUnlocksEvenInLockdown() {
        try (DoorRig rig = new DoorRig("hold_open_pin: 5").start()) {
            rig.door.setLockdown(true, "admin:root");
            rig.takeTypes();
            rig.set(Input.HOLD_OPEN, true);
            assertEquals(List.of(HOLD_OPEN_ON, UNLOCKED), rig.types());
            assertFalse(rig.relayLocked(), "a fire panel input wins over lockdown");
            assertTrue(rig.door.state().holdOpenInput());
            rig.set(Input.HOLD_OPEN, false);
            assertEquals(List.of(HOLD_OPEN_ON, UNLOCKED, HOLD_OPEN_OFF, LOCKED), rig.types());
            assertTrue(rig.relayLocked());
            assertTrue(rig.door.state().lockdown(), "lockdown still on afterwards");
        }
    }

    @Test
    void holdOpenInputActiveAtStartUnlocksAfterTheInitialLock() {
        DoorConfig c = DoorRig.parse("hold_open_pin: 5");
        try (DoorRig rig = new DoorRig(c)) {
            rig.setPin(Input.HOLD_OPEN, true);
            rig.start();
            assertEquals(List.of(LOCKED, HOLD_OPEN_ON, UNLOCKED), rig.types());
            assertFalse(rig.relayLocked());
        }
    }

    @Test
    void doorOpenAtStartIsReportedButNotForced() {
        DoorConfig c = DoorRig.parse("held_open_ms: 1000");
        try (DoorRig rig = new DoorRig(c)) {
            rig.setPin(Input.CONTACT, true);
            rig.start();
            assertEquals(List.of(LOCKED, OPENED), rig.types());
            assertEquals("open at start", rig.last().detail());
            rig.time.advanceMillis(1000);
            assertEquals(HELD_OPEN, rig.last().type());
        }
    }

    @Test
    void contactBounceYieldsOneTransition() {
        try (DoorRig rig = new DoorRig("debounce_ms: 50").start()) {
            rig.takeTypes();
            // a bouncing reed: open/closed flicker 10 ms apart, then settles open
            for (int i = 0; i < 6; i++) {
                rig.setPin(Input.CONTACT, i % 2 == 0);
                rig.time.advanceMillis(10);
            }
            rig.setPin(Input.CONTACT, true);
            rig.time.advanceMillis(49);
            assertEquals(List.of(), rig.types(), "nothing until the contact was stable for 50 ms");
            rig.time.advanceMillis(1);
            assertEquals(List.of(OPENED, FORCED), rig.types());
            // a bounce that ends where it started changes nothing
            rig.takeTypes();
            rig.setPin(Input.CONTACT, false);
            rig.time.advanceMillis(5);
            rig.setPin(Input.CONTACT, true);
            rig.time.advanceMillis(500);
            assertEquals(List.of(), rig.types());
            assertEquals(Boolean.TRUE, rig.door.state().doorOpen());
        }
    }

    @Test
    void exitButtonBounceIsOneRequest() {
        try (DoorRig rig = new DoorRig("button_debounce_ms: 30").start()) {
            rig.takeTypes();
            for (int i = 0; i < 5; i++) {
                rig.setPin(Input.EXIT_BUTTON, true);
                rig.time.advanceMillis(3);
                rig.setPin(Input.EXIT_BUTTON, false);
                rig.time.advanceMillis(3);
            }
            rig.setPin(Input.EXIT_BUTTON, true);
            rig.time.advanceMillis(30);
            rig.setPin(Input.EXIT_BUTTON, false);
            rig.time.advanceMillis(30);
            assertEquals(List.of(EXIT_REQUEST, UNLOCKED), rig.types());
        }
    }

    @Test
    void normallyOpenContactAndPullDownWiring() {
        // NO contact to 3V3 with a pull-down: the door open reads HIGH
        try (DoorRig rig = new DoorRig("contact_type: normally-open\ninput_pull: down").start()) {
            rig.takeTypes();
            rig.input(Input.CONTACT).mockState(DigitalState.HIGH);
            rig.time.advanceMillis(50);
            assertEquals(List.of(OPENED, FORCED), rig.types());
            rig.input(Input.CONTACT).mockState(DigitalState.LOW);
            rig.time.advanceMillis(50);
            assertEquals(CLOSED, rig.last().type());
        }
    }

    @Test
    void normallyClosedContactWithPullUpReadsOpenOnHigh() {
        // the default: NC reed to GND with a pull-up; a cut wire (HIGH) reads as open
        try (DoorRig rig = new DoorRig("").start()) {
            rig.takeTypes();
            rig.input(Input.CONTACT).mockState(DigitalState.HIGH);
            rig.time.advanceMillis(50);
            assertEquals(List.of(OPENED, FORCED), rig.types());
        }
    }

    @Test
    void adminUnlockAndLock() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.takeTypes();
            assertTrue(rig.door.unlockFor(Duration.ofSeconds(60), "admin:bob"));
            assertEquals(List.of(UNLOCKED), rig.types());
            assertEquals("admin:bob", rig.last().detail());
            rig.time.advanceMillis(30_000);
            assertFalse(rig.relayLocked());
            assertTrue(rig.door.lock("admin:bob"));
            assertEquals(LOCKED, rig.last().type());
            assertTrue(rig.relayLocked());
            assertEquals(0, rig.time.pendingTasks());
        }
    }

    @Test
    void badAdminInputIsRefusedAndChangesNothing() {
        try (DoorRig rig = new DoorRig("max_unlock_ms: 60000").start()) {
            rig.takeTypes();
            assertThrows(IllegalArgumentException.class, () -> rig.door.unlockFor(Duration.ZERO, "admin"));
            assertThrows(IllegalArgumentException.class, () -> rig.door.unlockFor(Duration.ofMillis(-5), "admin"));
            assertThrows(IllegalArgumentException.class, () -> rig.door.unlockFor(Duration.ofMillis(60_001), "admin"));
            assertThrows(IllegalArgumentException.class, () -> rig.door.unlockFor(Duration.ofSeconds(1), " "));
            assertThrows(IllegalArgumentException.class, () -> rig.door.setLockdown(true, null));
            Decision denied = Decision.deny(DenialReason.UNKNOWN_FACE, null, null, 0.1, 0.9, 1, rig.now());
            assertThrows(IllegalArgumentException.class, () -> rig.door.grant(denied));
            assertEquals(List.of(), rig.types());
            assertTrue(rig.relayLocked());
        }
    }

    @Test
    void notStartedOrClosedRefusesEverything() {
        DoorRig rig = new DoorRig("");
        assertFalse(rig.grant("alice"));
        assertTrue(rig.relayLocked(), "the relay output is created locked, before start");
        rig.start();
        rig.close();
        assertFalse(rig.grant("alice"));
        assertFalse(rig.door.setHoldOpen(true, "admin"));
        assertThrows(IllegalStateException.class, rig.door::start);
    }

    @Test
    void indicatorFollowsUnlockAndAlarms() {
        try (DoorRig rig = new DoorRig("indicator_pin: 6").start()) {
            assertEquals(DigitalState.LOW, rig.indicatorPin());
            rig.grant("alice");
            assertEquals(DigitalState.HIGH, rig.indicatorPin());
            rig.time.advanceMillis(5000);
            assertEquals(DigitalState.LOW, rig.indicatorPin());
            rig.openDoor();
            assertEquals(DigitalState.HIGH, rig.indicatorPin(), "forced alarm sounds the buzzer");
            rig.closeDoor();
            assertEquals(DigitalState.LOW, rig.indicatorPin());
        }
    }

    @Test
    void listenerFailureDoesNotAffectTheDoor() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.door.addListener(e -> {
                throw new IllegalStateException("broken subscriber");
            });
            assertTrue(rig.grant("alice"));
            assertFalse(rig.relayLocked());
            rig.time.advanceMillis(5000);
            assertTrue(rig.relayLocked());
            assertEquals(List.of(LOCKED, UNLOCKED, LOCKED), rig.types());
        }
    }

    @Test
    void eventsCarryTheClockTime() {
        try (DoorRig rig = new DoorRig("").start()) {
            rig.time.advanceMillis(1234);
            rig.grant("alice");
            assertEquals(rig.now(), rig.last().time());
            rig.time.advanceMillis(5000);
            assertEquals(rig.now(), rig.last().time());
        }
    }

    @Test
    void listenerMayCallBackIntoTheController() {
        try (DoorRig rig = new DoorRig("").start()) {
            // e.g. an automation that ends lockdown... here: lock as soon as anything unlocks
            rig.door.addListener(e -> {
                if (e.type() == UNLOCKED) {
                    rig.door.lock("automation");
                }
            });
            rig.takeTypes();
            rig.grant("alice");
            assertEquals(List.of(UNLOCKED, LOCKED), rig.types());
            assertTrue(rig.relayLocked());
        }
    }

    @Test
    void everyEventTypeIsReachable() {
        // guards against an event type nobody emits (the MQTT topic list is built from this enum)
        java.util.EnumSet<Type> seen = java.util.EnumSet.noneOf(Type.class);
        try (DoorRig rig = new DoorRig("hold_open_pin: 5\nheld_open_ms: 1000").start()) {
            rig.grant("a");
            rig.openDoor();
            rig.time.advanceMillis(6000);
            rig.closeDoor();
            rig.openDoor();
            rig.closeDoor();
            rig.pressExit();
            rig.door.setLockdown(true, "x");
            rig.door.setLockdown(false, "x");
            rig.door.setHoldOpen(true, "x");
            rig.door.setHoldOpen(false, "x");
            seen.addAll(rig.types());
        }
        seen.add(FAULT); // covered by DoorFailClosedTest and DoorFaultInjectionTest
        seen.add(FAULT_CLEARED);
        assertEquals(java.util.EnumSet.allOf(Type.class), seen);
    }
}

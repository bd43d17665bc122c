package io.facegate.door;

import com.pi4j.io.gpio.digital.DigitalState;
import io.facegate.access.Decision;
import io.facegate.config.DoorConfig;
import io.facegate.door.DoorHardware.Input;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.facegate.door.DoorEvent.Type.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Both lock types and both relay polarities, with the pin levels written out by hand; start, shutdown, a crash
 * (Pi4J's shutdown hook without an orderly close) and faults all leave the door locked.
 */
class DoorFailClosedTest {

    /** lock type, relay polarity, pin level while locked, pin level while unlocked */
    @ParameterizedTest(name = "{0} {1}: locked={2} unlocked={3}")
    @CsvSource({
            "fail-secure, active-high, LOW,  HIGH",
            "fail-secure, active-low,  HIGH, LOW",
            "fail-safe,   active-high, HIGH, LOW",
            "fail-safe,   active-low,  LOW,  HIGH",
    })
    void relayLevelsThroughALifetime(String lockType, String polarity, DigitalState locked, DigitalState unlocked) {
        DoorConfig cfg = DoorRig.parse("lock_type: " + lockType + "\nrelay_polarity: " + polarity);
        DoorRig rig = new DoorRig(cfg);
        var relay = rig.relayOutput(); // kept: Pi4J forgets its IO on shutdown
        assertEquals(locked, rig.relayPin(), "the output is created locked, before start");
        rig.start();
        assertEquals(locked, rig.relayPin(), "start");
        assertEquals(cfg.lockType().equals("fail-safe"), rig.hw.relayEnergised(),
                "fail-safe keeps the coil energised while locked; fail-secure releases it");
        rig.grant("alice");
        assertEquals(unlocked, rig.relayPin(), "granted");
        rig.time.advanceMillis(cfg.unlockMs());
        assertEquals(locked, rig.relayPin(), "unlock time over");
        rig.pressExit();
        assertEquals(unlocked, rig.relayPin(), "exit button");
        rig.door.setLockdown(true, "admin");
        assertEquals(locked, rig.relayPin(), "lockdown");
        rig.door.setLockdown(false, "admin");
        rig.grant("alice");
        assertEquals(unlocked, rig.relayPin());
        rig.close();
        assertEquals(locked, relay.state(), "orderly shutdown while unlocked");
        assertEquals(LOCKED, rig.last().type());
        assertEquals("shutdown", rig.last().detail());
        assertTrue(rig.hw.context().isShutdown());
    }

    /**
     * A crash of the daemon: the controller never closes, the JVM's shutdown hook shuts Pi4J down, which drives
     * each output to its configured shutdown state. For both lock types that state is "locked". (A hard power loss
     * or kill -9 releases the coil instead: locked for fail-secure, unlocked for fail-safe; see docs/door.md.)
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "fail-secure, active-high, LOW",
            "fail-secure, active-low,  HIGH",
            "fail-safe,   active-high, HIGH",
            "fail-safe,   active-low,  LOW",
    })
    void crashWithTheDoorUnlockedLeavesItLocked(String lockType, String polarity, DigitalState locked) {
        DoorRig rig = new DoorRig("lock_type: " + lockType + "\nrelay_polarity: " + polarity).start();
        var relay = rig.relayOutput();
        rig.grant("alice");
        assertNotEquals(locked, relay.state());
        rig.hw.context().shutdown(); // what Pi4J's JVM shutdown hook does
        assertEquals(locked, relay.state());
    }

    @Test
    void failSecureRelaxedCoilIsLockedFailSafeRelaxedCoilIsNot() {
        // The documented consequence of each lock type for a dead controller (coil not driven at all).
        DoorConfig secure = DoorRig.parse("lock_type: fail-secure");
        DoorConfig safe = DoorRig.parse("lock_type: fail-safe");
        assertFalse(secure.lockedEnergised(), "fail-secure: locked = coil released, so a dead controller is locked");
        assertTrue(safe.lockedEnergised(), "fail-safe: locked = coil energised, so a dead controller releases");
    }

    @Test
    void startDrivesTheRelayLockedBeforeAnythingElse() {
        DoorConfig cfg = DoorRig.parse("lock_type: fail-safe\nhold_open_pin: 5");
        Pi4jDoorHardware pi = new Pi4jDoorHardware(cfg, false);
        Recording rec = new Recording(pi);
        DoorRig rig = new DoorRig(cfg, pi, rec);
        // someone (a previous crash, a test) left the pin unlocked
        rig.relayOutput().mockState(DigitalState.LOW);
        assertFalse(rig.relayLocked());
        rig.start();
        assertEquals("setRelay(true)", rec.calls.get(0), "first call: lock (fail-safe = energised)");
        assertTrue(rig.relayLocked());
        rig.close();
    }

    @Test
    void startFailsWhenTheRelayCannotBeDriven() {
        DoorConfig cfg = DoorRig.parse("");
        Pi4jDoorHardware pi = new Pi4jDoorHardware(cfg, false);
        Recording rec = new Recording(pi);
        rec.failRelay = true;
        DoorRig rig = new DoorRig(cfg, pi, rec);
        assertThrows(DoorHardwareException.class, rig.door::start);
        assertFalse(rig.grant("alice"), "a controller that did not start grants nothing");
        assertTrue(rig.relayLocked());
        rig.close();
    }

    @Test
    void relayFailureWhileUnlockingLocksAndReportsAFault() {
        DoorConfig cfg = DoorRig.parse("");
        Pi4jDoorHardware pi = new Pi4jDoorHardware(cfg, false);
        Recording rec = new Recording(pi);
        rec.failUnlockOnly = true;
        try (DoorRig rig = new DoorRig(cfg, pi, rec).start()) {
            rig.takeTypes();
            assertFalse(rig.grant("alice"));
            assertEquals(List.of(FAULT), rig.types());
            assertTrue(rig.relayLocked());
            assertFalse(rig.door.state().unlocked());
            assertTrue(rig.door.state().faulted());
            assertEquals(1, rig.time.pendingTasks(), "only the lock retry is left, no unlock timer");
            assertFalse(rig.grant("alice"), "refused while in fault");
            rig.time.advance(DoorController.LOCK_RETRY_FIRST);
            assertEquals(FAULT_CLEARED, rig.last().type(), "the retry read the relay back locked");
            assertFalse(rig.door.state().faulted());
            rec.failUnlockOnly = false;
            assertTrue(rig.grant("alice"), "grants again once the hardware works");
        }
    }

    @Test
    void anExceptionInsideATransitionLocksTheDoor() {
        DoorConfig cfg = DoorRig.parse("");
        ManualTime time = new ManualTime();
        AtomicBoolean breakScheduler = new AtomicBoolean();
        DoorScheduler flaky = (delay, task) -> {
            if (breakScheduler.get()) {
                throw new IllegalStateException("scheduler broke");
            }
            return time.schedule(delay, task);
        };
        Pi4jDoorHardware pi = new Pi4jDoorHardware(cfg, false);
        DoorController door = new DoorController(pi, cfg, time, flaky);
        List<DoorEvent> events = Collections.synchronizedList(new ArrayList<>());
        door.addListener(events::add);
        var exit = pi.context().io(Pi4jDoorHardware.INPUT_IDS.get(Input.EXIT_BUTTON),
                com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput.class);
        exit.mockState(DigitalState.HIGH); // released (pull-up)
        door.start();
        door.setHoldOpen(true, "admin"); // unlocked, no timer involved
        assertTrue(door.state().unlocked());
        breakScheduler.set(true);
        // the exit button debounce needs the scheduler: the transition throws inside
        exit.mockState(DigitalState.LOW);
        assertEquals(FAULT, events.get(events.size() - 2).type());
        assertEquals(LOCKED, events.get(events.size() - 1).type());
        assertEquals(DigitalState.LOW, pi.context().io(Pi4jDoorHardware.RELAY_ID,
                com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput.class).state());
        assertFalse(door.state().unlocked());
        door.close();
    }

    @Test
    void indicatorFailureIsReportedButDoesNotLock() {
        DoorConfig cfg = DoorRig.parse("indicator_pin: 6");
        Pi4jDoorHardware pi = new Pi4jDoorHardware(cfg, false);
        Recording rec = new Recording(pi);
        rec.failIndicator = true;
        try (DoorRig rig = new DoorRig(cfg, pi, rec).start()) {
            rig.takeTypes();
            assertTrue(rig.grant("alice"));
            assertEquals(List.of(UNLOCKED, FAULT), rig.types());
            assertFalse(rig.relayLocked());
        }
    }

    /**
     * Many threads at once (GPIO callbacks, timers, API callers) on the real timer thread and clock; afterwards
     * the events must describe a consistent relay and the door must end locked.
     */
    @Test
    void concurrentUseStaysConsistentAndEndsLocked() throws Exception {
        DoorConfig cfg = DoorRig.parse("unlock_ms: 3\ndebounce_ms: 1\nbutton_debounce_ms: 1\nheld_open_ms: 5");
        Pi4jDoorHardware pi = new Pi4jDoorHardware(cfg, false);
        DoorController door = new DoorController(pi, cfg, Clock.systemUTC(), new ExecutorDoorScheduler());
        List<DoorEvent> events = Collections.synchronizedList(new ArrayList<>());
        door.addListener(events::add);
        var contact = pi.context().io(Pi4jDoorHardware.INPUT_IDS.get(Input.CONTACT),
                com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput.class);
        contact.mockState(DigitalState.LOW);
        pi.context().io(Pi4jDoorHardware.INPUT_IDS.get(Input.EXIT_BUTTON),
                com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput.class).mockState(DigitalState.HIGH);
        door.start();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int seed = t;
            pool.submit(() -> {
                Random r = new Random(seed);
                for (int i = 0; i < 2000; i++) {
                    switch (r.nextInt(6)) {
                        case 0 -> door.grant(Decision.grant("p" + seed, null, 0.9, 0.9, i, java.time.Instant.now()));
                        case 1 -> door.lock("t" + seed);
                        case 2 -> door.setLockdown(r.nextBoolean(), "t" + seed);
                        case 3 -> door.setHoldOpen(r.nextBoolean(), "t" + seed);
                        case 4 -> door.unlockFor(Duration.ofMillis(1 + r.nextInt(3)), "t" + seed);
                        default -> contact.mockState(r.nextBoolean() ? DigitalState.HIGH : DigitalState.LOW);
                    }
                }
                return null;
            }).get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        var relay = pi.context().io(Pi4jDoorHardware.RELAY_ID,
                com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput.class);
        door.close();
        assertEquals(DigitalState.LOW, relay.state());
        // replay: UNLOCKED/LOCKED that switch the relay must alternate
        boolean unlocked = false;
        int switches = 0;
        synchronized (events) {
            for (DoorEvent e : events) {
                if (e.type() == UNLOCKED && !e.detail().contains("already unlocked")) {
                    assertFalse(unlocked, "UNLOCKED while already unlocked at " + e);
                    unlocked = true;
                    switches++;
                } else if (e.type() == LOCKED) {
                    assertTrue(unlocked || e.detail().equals("start"), "LOCKED while already locked at " + e);
                    unlocked = false;
                }
                assertNotEquals(FAULT, e.type(), "no faults expected: " + e);
            }
        }
        assertFalse(unlocked, "last relay event is LOCKED");
        assertTrue(switches > 10, "the run exercised the relay (" + switches + " unlocks)");
    }

    /** Delegates to the Pi4J hardware, records calls and fails on request. */
    static final class Recording implements DoorHardware {
        final DoorHardware d;
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile boolean failRelay;
        volatile boolean failUnlockOnly;
        volatile boolean failIndicator;
        private final boolean lockedEnergised;

        Recording(Pi4jDoorHardware d) {
            this.d = d;
            this.lockedEnergised = false;
        }

        @Override
        public void setRelay(boolean energised) {
            calls.add("setRelay(" + energised + ")");
            if (failRelay || (failUnlockOnly && energised != lockedEnergised)) {
                throw new DoorHardwareException("relay driver gone", null);
            }
            d.setRelay(energised);
        }

        @Override
        public boolean relayEnergised() {
            return d.relayEnergised();
        }

        @Override
        public void setIndicator(boolean on) {
            calls.add("setIndicator(" + on + ")");
            if (failIndicator) {
                throw new DoorHardwareException("buzzer gone", null);
            }
            d.setIndicator(on);
        }

        @Override
        public Set<Input> inputs() {
            calls.add("inputs()");
            return d.inputs();
        }

        @Override
        public boolean read(Input input) {
            calls.add("read(" + input + ")");
            return d.read(input);
        }

        @Override
        public void setInputListener(InputListener listener) {
            calls.add("setInputListener");
            d.setInputListener(listener);
        }

        @Override
        public void close() {
            calls.add("close");
            d.close();
        }
    }
}

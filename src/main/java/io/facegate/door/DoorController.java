package io.facegate.door;

import io.facegate.access.Decision;
import io.facegate.config.DoorConfig;
import io.facegate.door.DoorEvent.Type;
import io.facegate.door.DoorHardware.Input;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The door state machine: decides when the relay is unlocked, watches the contact and the exit button, and
 * raises the forced and held-open alarms.
 *
 * <p>Rules, in order of precedence:
 * <ol>
 *   <li>Hold-open (admin command or the hold-open input) keeps the door unlocked. The hold-open <em>input</em>
 *       wins even over lockdown, because it is meant for a fire panel; the admin hold-open cannot be switched on
 *       during lockdown and is switched off by it.</li>
 *   <li>Lockdown: no grant, admin timed unlock or exit button unlocks; only {@code setLockdown(false, ..)} ends
 *       it.</li>
 *   <li>Otherwise the door is unlocked while a timed unlock runs (face grant: {@code door.unlock_ms}; exit
 *       button: {@code door.exit_unlock_ms}; admin: any duration up to {@code door.max_unlock_ms}). A new unlock
 *       extends a running one, never shortens it. With {@code door.relock_on_close} the door relocks as soon as it
 *       closes after being opened during the unlock.</li>
 * </ol>
 * The door opening while the relay is locked and no exit request is pending is FORCED; a door open for
 * {@code door.held_open_ms} (outside hold-open) is HELD_OPEN; both alarms end when the door closes.
 *
 * <p>Fail closed: {@link #start()} drives the relay to locked before it looks at anything else, {@link #close()}
 * leaves it locked, and any exception inside a transition drives the relay to locked and emits FAULT. (An
 * indicator failure is reported as FAULT but does not lock: a broken buzzer must not become a door outage.)
 *
 * <p>Thread-safe: GPIO callbacks, timers and API callers serialise on this object; events are delivered in order
 * to the listeners after the lock is released. Time comes from the injected {@link Clock} and timers from the
 * injected {@link DoorScheduler}, so tests drive it with a manual clock. The controller owns (and closes) the
 * hardware and the scheduler.
 */
public final class DoorController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DoorController.class);

    private final DoorHardware hw;
    private final DoorConfig cfg;
    private final Clock clock;
    private final DoorScheduler scheduler;
    private final List<DoorEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Object dispatchLock = new Object();

    // all fields below are guarded by 'this'
    private final ArrayDeque<DoorEvent> pending = new ArrayDeque<>();
    private final Map<Input, Debounce> debounce = new EnumMap<>(Input.class);
    private boolean started;
    private boolean closed;
    private boolean relayUnlocked;
    private Boolean doorOpen;
    private boolean lockdown;
    private boolean holdOpenAdmin;
    private boolean holdOpenInput;
    private Instant unlockUntil;
    private String unlockPerson;
    private long unlockGen;
    private DoorScheduler.Cancellable unlockTimer;
    private boolean openedDuringUnlock;
    private Instant rexUntil;
    private boolean forcedAlarm;
    private boolean heldOpenAlarm;
    private long heldGen;
    private DoorScheduler.Cancellable heldTimer;
    private boolean faulted;
    private boolean indicatorOn; // the hardware starts with the indicator off

    private static final class Debounce {
        boolean accepted;
        long seq;
        DoorScheduler.Cancellable timer;
    }

    public DoorController(DoorHardware hardware, DoorConfig config, Clock clock, DoorScheduler scheduler) {
        this.hw = Objects.requireNonNull(hardware, "hardware");
        this.cfg = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        for (Input in : Input.values()) {
            debounce.put(in, new Debounce());
        }
    }

    /**
     * The production wiring: Pi4J hardware from {@code door.provider} (with Pi4J's shutdown hook, which leaves the
     * relay locked when the JVM is stopped by a signal), a timer thread and the system clock. Not started yet.
     */
    public static DoorController open(DoorConfig config) {
        return new DoorController(new Pi4jDoorHardware(config, true), config, Clock.systemUTC(),
                new ExecutorDoorScheduler());
    }

    // ---------------------------------------------------------------------------------------------- public API

    /**
     * Drives the relay to locked, then reads the inputs and starts listening. Throws
     * {@link DoorHardwareException} when the relay cannot be driven: a door whose relay state is unknown must not
     * run.
     */
    public void start() {
        synchronized (this) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "door controller is closed" : "already started");
            }
            hw.setRelay(cfg.lockedEnergised()); // before anything else; an exception here aborts the start
            relayUnlocked = false;
            started = true;
            emit(Type.LOCKED, null, "start");
            try {
                hw.setInputListener(this::onRawInput);
                for (Input in : hw.inputs()) {
                    boolean active = hw.read(in);
                    debounce.get(in).accepted = active;
                    switch (in) {
                        case CONTACT -> {
                            doorOpen = active;
                            if (active) {
                                emit(Type.OPENED, null, "open at start");
                                startHeldTimer();
                            }
                        }
                        case HOLD_OPEN -> {
                            holdOpenInput = active;
                            if (active) {
                                emit(Type.HOLD_OPEN_ON, null, "hold-open input active at start");
                            }
                        }
                        case EXIT_BUTTON -> {
                            // a button already pressed at start is not a request: it may be stuck
                        }
                    }
                }
                applyRelay(null, "hold-open input");
            } catch (RuntimeException e) {
                fail(e);
            }
        }
        flush();
    }

    /**
     * Unlocks for {@code door.unlock_ms} for a granted decision. Returns false (and changes nothing) when the door
     * is in lockdown or not running.
     */
    public boolean grant(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        if (!decision.granted()) {
            throw new IllegalArgumentException("grant() needs a granted decision, got " + decision.reason());
        }
        return guarded(() -> {
            if (!running() || lockdown) {
                log.info("grant for {} refused: {}", decision.personId(), lockdown ? "lockdown" : "not running");
                return false;
            }
            startUnlock(Duration.ofMillis(cfg.unlockMs()), decision.personId(), "face");
            return true;
        }, false);
    }

    /**
     * Admin timed unlock. {@code duration} must be positive and at most {@code door.max_unlock_ms}. Returns false
     * in lockdown or when not running.
     */
    public boolean unlockFor(Duration duration, String source) {
        Objects.requireNonNull(duration, "duration");
        requireText(source, "source");
        if (duration.isNegative() || duration.isZero() || duration.toMillis() > cfg.maxUnlockMs()) {
            throw new IllegalArgumentException("unlock duration must be 1.." + cfg.maxUnlockMs() + " ms, got "
                    + duration.toMillis() + " ms");
        }
        return guarded(() -> {
            if (!running() || lockdown) {
                return false;
            }
            startUnlock(duration, null, source);
            return true;
        }, false);
    }

    /** Ends a running timed unlock now (hold-open is ended with {@link #setHoldOpen}). */
    public boolean lock(String by) {
        requireText(by, "by");
        return guarded(() -> {
            if (!running()) {
                return false;
            }
            endTimedUnlock();
            applyRelay(null, "locked by " + by);
            return true;
        }, false);
    }

    /**
     * Lockdown on: ends any timed unlock and the admin hold-open, refuses grants, admin unlocks and the exit
     * button until an admin switches it off. Idempotent.
     */
    public boolean setLockdown(boolean on, String by) {
        requireText(by, "by");
        return guarded(() -> {
            if (!running()) {
                return false;
            }
            if (lockdown == on) {
                return true;
            }
            lockdown = on;
            emit(on ? Type.LOCKDOWN_ON : Type.LOCKDOWN_OFF, null, by);
            if (on) {
                if (holdOpenAdmin) {
                    holdOpenAdmin = false;
                    emit(Type.HOLD_OPEN_OFF, null, "ended by lockdown (" + by + ")");
                    afterHoldOpenEnded();
                }
                endTimedUnlock();
                rexUntil = null;
            }
            applyRelay(null, on ? "lockdown by " + by : "lockdown ended by " + by);
            return true;
        }, false);
    }

    /**
     * Admin hold-open: the door stays unlocked until switched off. Refused (false) during lockdown.
     */
    public boolean setHoldOpen(boolean on, String by) {
        requireText(by, "by");
        return guarded(() -> {
            if (!running() || (on && lockdown)) {
                return false;
            }
            if (holdOpenAdmin == on) {
                return true;
            }
            holdOpenAdmin = on;
            emit(on ? Type.HOLD_OPEN_ON : Type.HOLD_OPEN_OFF, null, by);
            if (on) {
                clearHeldAlarm();
            } else {
                afterHoldOpenEnded();
            }
            applyRelay(null, on ? "hold-open by " + by : "hold-open ended by " + by);
            return true;
        }, false);
    }

    public synchronized DoorState state() {
        return new DoorState(relayUnlocked, doorOpen, lockdown, holdOpen(), holdOpenInput, forcedAlarm,
                heldOpenAlarm, unlockUntil, faulted);
    }

    public void addListener(DoorEventListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void removeListener(DoorEventListener listener) {
        listeners.remove(listener);
    }

    /** Locks the door, stops the timers and releases the hardware (which leaves the relay locked). Idempotent. */
    @Override
    public void close() {
        boolean first;
        synchronized (this) {
            first = !closed;
            if (first) {
                closed = true;
                hw.setInputListener(null);
                cancel(unlockTimer);
                cancel(heldTimer);
                debounce.values().forEach(d -> cancel(d.timer));
                unlockUntil = null;
                try {
                    hw.setRelay(cfg.lockedEnergised());
                } catch (RuntimeException e) {
                    log.error("could not lock the relay on close; the hardware shutdown state will", e);
                }
                if (relayUnlocked) {
                    relayUnlocked = false;
                    emit(Type.LOCKED, null, "shutdown");
                }
                try {
                    hw.setIndicator(false);
                } catch (RuntimeException e) {
                    log.warn("indicator off on close: {}", e.toString());
                }
            }
        }
        flush();
        if (first) {
            try {
                hw.close();
            } finally {
                scheduler.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ input handling

    private void onRawInput(Input input, boolean active) {
        guarded(() -> {
            if (!running()) {
                return null;
            }
            Debounce d = debounce.get(input);
            long seq = ++d.seq;
            cancel(d.timer);
            d.timer = null;
            long ms = input == Input.CONTACT ? cfg.debounceMs() : cfg.buttonDebounceMs();
            if (ms == 0) {
                settle(input, seq, active);
            } else {
                d.timer = scheduler.schedule(Duration.ofMillis(ms),
                        () -> guarded(() -> settle(input, seq, active), null));
            }
            return null;
        }, null);
    }

    /** The input held {@code active} for the whole debounce time (no edge since): take it. */
    private Void settle(Input input, long seq, boolean active) {
        Debounce d = debounce.get(input);
        if (!running() || d.seq != seq || d.accepted == active) {
            return null;
        }
        d.accepted = active;
        switch (input) {
            case CONTACT -> {
                if (active) {
                    doorOpened();
                } else {
                    doorClosed();
                }
            }
            case EXIT_BUTTON -> {
                if (active) {
                    exitRequest();
                }
            }
            case HOLD_OPEN -> holdOpenInput(active);
        }
        return null;
    }

    private void doorOpened() {
        doorOpen = true;
        boolean rex = rexUntil != null && clock.instant().isBefore(rexUntil);
        String why = holdOpen() ? "hold-open" : relayUnlocked ? (unlockPerson != null ? "granted" : "unlocked")
                : rex ? "exit request" : "forced";
        emit(Type.OPENED, relayUnlocked ? unlockPerson : null, why);
        if (!relayUnlocked && !rex) {
            forcedAlarm = true;
            emit(Type.FORCED, null, lockdown ? "opened during lockdown" : "opened while locked");
        }
        if (relayUnlocked && unlockUntil != null) {
            openedDuringUnlock = true;
        }
        if (!holdOpen()) {
            startHeldTimer();
        }
        updateIndicator();
    }

    private void doorClosed() {
        doorOpen = false;
        boolean hadAlarm = forcedAlarm || heldOpenAlarm;
        forcedAlarm = false;
        heldOpenAlarm = false;
        heldGen++;
        cancel(heldTimer);
        emit(Type.CLOSED, null, hadAlarm ? "alarm cleared" : "");
        if (cfg.relockOnClose() && openedDuringUnlock && unlockUntil != null) {
            endTimedUnlock();
            applyRelay(null, "relocked on close");
        }
        openedDuringUnlock = false;
        updateIndicator();
    }

    private void exitRequest() {
        if (lockdown) {
            emit(Type.EXIT_REQUEST, null, "refused: lockdown");
            return;
        }
        Duration d = Duration.ofMillis(cfg.exitUnlockMs());
        rexUntil = clock.instant().plus(d);
        emit(Type.EXIT_REQUEST, null, cfg.exitUnlocks() ? "unlocking" : "egress without unlock");
        if (cfg.exitUnlocks()) {
            startUnlock(d, null, "exit-button");
        }
    }

    private void holdOpenInput(boolean active) {
        holdOpenInput = active;
        emit(active ? Type.HOLD_OPEN_ON : Type.HOLD_OPEN_OFF, null, "hold-open input");
        if (active) {
            clearHeldAlarm();
        } else {
            afterHoldOpenEnded();
        }
        applyRelay(null, active ? "hold-open input" : "hold-open input ended");
    }

    // ------------------------------------------------------------------------------------------------ timing

    private void startUnlock(Duration d, String personId, String source) {
        boolean wasUnlocked = relayUnlocked;
        Instant until = clock.instant().plus(d);
        if (unlockUntil == null || until.isAfter(unlockUntil)) {
            if (unlockUntil == null) {
                openedDuringUnlock = Boolean.TRUE.equals(doorOpen);
            }
            unlockUntil = until;
            long gen = ++unlockGen;
            cancel(unlockTimer);
            unlockTimer = scheduler.schedule(d, () -> guarded(() -> unlockTimeOver(gen), null));
        }
        unlockPerson = personId;
        applyRelay(personId, source);
        if (wasUnlocked) {
            emit(Type.UNLOCKED, personId, source + " (already unlocked, until " + unlockUntil + ")");
        }
    }

    private Void unlockTimeOver(long gen) {
        if (!running() || gen != unlockGen) {
            return null;
        }
        endTimedUnlock();
        applyRelay(null, "unlock time over");
        return null;
    }

    private void endTimedUnlock() {
        unlockGen++;
        cancel(unlockTimer);
        unlockTimer = null;
        unlockUntil = null;
        unlockPerson = null;
        openedDuringUnlock = false;
    }

    private void startHeldTimer() {
        long gen = ++heldGen;
        cancel(heldTimer);
        heldTimer = scheduler.schedule(Duration.ofMillis(cfg.heldOpenMs()), () -> guarded(() -> {
            if (running() && gen == heldGen && Boolean.TRUE.equals(doorOpen) && !holdOpen() && !heldOpenAlarm) {
                heldOpenAlarm = true;
                emit(Type.HELD_OPEN, null, "open for more than " + cfg.heldOpenMs() + " ms");
                updateIndicator();
            }
            return null;
        }, null));
    }

    private void clearHeldAlarm() {
        heldGen++;
        cancel(heldTimer);
        heldOpenAlarm = false;
    }

    private void afterHoldOpenEnded() {
        if (!holdOpen() && Boolean.TRUE.equals(doorOpen)) {
            startHeldTimer(); // the held-open clock starts when hold-open ends
        }
    }

    // ----------------------------------------------------------------------------------------- relay and core

    private boolean holdOpen() {
        return holdOpenAdmin || holdOpenInput;
    }

    private boolean running() {
        return started && !closed;
    }

    /** Brings the relay in line with the rules; emits UNLOCKED/LOCKED when it switches. */
    private void applyRelay(String personId, String detail) {
        boolean want = holdOpen() || (!lockdown && unlockUntil != null);
        if (want == relayUnlocked) {
            return;
        }
        // energised means unlocked for fail-secure, locked for fail-safe
        hw.setRelay(want != cfg.lockedEnergised());
        relayUnlocked = want;
        faulted = false;
        emit(want ? Type.UNLOCKED : Type.LOCKED, want ? personId : null, detail);
        updateIndicator();
    }

    private void updateIndicator() {
        setIndicator(relayUnlocked || (cfg.indicatorOnAlarm() && (forcedAlarm || heldOpenAlarm)));
    }

    private void setIndicator(boolean on) {
        if (on == indicatorOn) {
            return;
        }
        try {
            hw.setIndicator(on);
            indicatorOn = on;
        } catch (RuntimeException e) {
            log.warn("indicator failed: {}", e.toString());
            emit(Type.FAULT, null, "indicator: " + e.getMessage());
        }
    }

    /** Something went wrong inside a transition: lock, whatever else is going on, and say so. */
    private void fail(RuntimeException e) {
        log.error("door fault, locking", e);
        faulted = true;
        endTimedUnlock();
        try {
            hw.setRelay(cfg.lockedEnergised());
        } catch (RuntimeException again) {
            log.error("could not lock the relay after a fault", again);
        }
        boolean wasUnlocked = relayUnlocked;
        relayUnlocked = false;
        emit(Type.FAULT, null, String.valueOf(e.getMessage()));
        if (wasUnlocked) {
            emit(Type.LOCKED, null, "fault");
        }
    }

    /** Runs a transition under the lock; any exception locks the door. Then delivers the events it caused. */
    private <T> T guarded(Supplier<T> transition, T onFailure) {
        T result;
        synchronized (this) {
            try {
                result = transition.get();
            } catch (RuntimeException e) {
                fail(e);
                result = onFailure;
            }
        }
        flush();
        return result;
    }

    private void emit(Type type, String personId, String detail) {
        DoorEvent e = new DoorEvent(type, clock.instant(), personId, detail);
        pending.add(e);
        log.info("door {} {}{}", type, detail, personId == null ? "" : " person=" + personId);
    }

    /** Delivers queued events in order, outside the state lock; one thread delivers at a time. */
    private void flush() {
        synchronized (dispatchLock) {
            while (true) {
                DoorEvent e;
                synchronized (this) {
                    e = pending.poll();
                }
                if (e == null) {
                    return;
                }
                for (DoorEventListener l : listeners) {
                    try {
                        l.onDoorEvent(e);
                    } catch (RuntimeException ex) {
                        log.warn("door event listener failed on {}: {}", e.type(), ex.toString());
                    }
                }
            }
        }
    }

    private static void cancel(DoorScheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}

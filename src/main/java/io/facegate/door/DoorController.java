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
 * <p>Tells the truth: every relay command is followed by a read-back ({@link DoorHardware#relayEnergised()}), and
 * the relay state the controller reports (UNLOCKED/LOCKED events, {@link #state()}) is only ever what was read
 * back. A relay that cannot be driven or reads back something other than what was commanded puts the door in
 * <em>fault</em>: FAULT is emitted with the reason, grants, unlocks and the admin hold-open are refused, and the
 * lock is retried through the scheduler with a capped backoff ({@link #LOCK_RETRY_FIRST} doubling up to
 * {@link #LOCK_RETRY_MAX}) until the read-back confirms locked; then FAULT_CLEARED is emitted and the rules apply
 * again (a hold-open resumes).
 *
 * <p>Thread-safe: GPIO callbacks, timers and API callers serialise on this object; events are delivered in order
 * to the listeners after the lock is released. Time comes from the injected {@link Clock} and timers from the
 * injected {@link DoorScheduler}, so tests drive it with a manual clock. The controller owns (and closes) the
 * hardware and the scheduler.
 */
public final class DoorController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DoorController.class);
    /** The first lock retry after a fault; each further retry waits twice as long, up to {@link #LOCK_RETRY_MAX}. */
    static final Duration LOCK_RETRY_FIRST = Duration.ofMillis(250);
    static final Duration LOCK_RETRY_MAX = Duration.ofSeconds(10);

    private final DoorHardware hw;
    private final DoorConfig cfg;
    private final Clock clock;
    private final DoorScheduler scheduler;
    private final DoorModeStore modes;
    private final List<DoorEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Object dispatchLock = new Object();

    // all fields below are guarded by 'this'
    private final ArrayDeque<DoorEvent> pending = new ArrayDeque<>();
    private final Map<Input, Debounce> debounce = new EnumMap<>(Input.class);
    private boolean started;
    private boolean closed;
    /** The relay as last read back: unlocked. Only ever set from a read-back. */
    private boolean relayUnlocked;
    /** False while the last read-back failed: the relay may be in either state. */
    private boolean relayKnown = true;
    /** What the last LOCKED/UNLOCKED event said, so that a state is announced once and only when read back. */
    private boolean reportedUnlocked;
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
    /** Why the door is in fault; null when it is not. */
    private String fault;
    private DoorScheduler.Cancellable lockRetryTimer;
    private long lockRetryGen;
    private Duration lockRetryDelay = LOCK_RETRY_FIRST;
    private int lockRetries;
    private boolean verifyPending;
    private boolean indicatorOn; // the hardware starts with the indicator off

    private static final class Debounce {
        boolean accepted;
        long seq;
        DoorScheduler.Cancellable timer;
    }

    /** A door whose lockdown and hold-open do not survive a restart: for tests and benchmarks. */
    public DoorController(DoorHardware hardware, DoorConfig config, Clock clock, DoorScheduler scheduler) {
        this(hardware, config, clock, scheduler, DoorModeStore.none());
    }

    /**
     * @param modes where lockdown and the admin hold-open are kept across restarts; loaded by {@link #start()}
     *              before the door accepts anything
     */
    public DoorController(DoorHardware hardware, DoorConfig config, Clock clock, DoorScheduler scheduler,
                          DoorModeStore modes) {
        this.modes = Objects.requireNonNull(modes, "modes");
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
     * relay locked when the JVM is stopped by a signal), a timer thread, the system clock and the modes file
     * {@code door.modes_path}. Not started yet.
     */
    public static DoorController open(DoorConfig config) {
        return new DoorController(new Pi4jDoorHardware(config, true), config, Clock.systemUTC(),
                new ExecutorDoorScheduler(), DoorModeStore.file(java.nio.file.Path.of(config.modesPath())));
    }

    // ---------------------------------------------------------------------------------------------- public API

    /**
     * Drives the relay to locked, then reads the inputs and starts listening. Throws
     * {@link DoorHardwareException} when the relay cannot be driven or does not read back locked: a door whose
     * relay state is unknown must not run.
     */
    public void start() {
        synchronized (this) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "door controller is closed" : "already started");
            }
            driveRelay(false); // before anything else; a relay that cannot be driven or read back aborts the start
            started = true;
            emitRelay(false, null, "start");
            restoreModes(); // before any input, grant or command can be taken
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
     * Unlocks for {@code door.unlock_ms} for a granted decision.
     *
     * <p>Returns true <em>only</em> when the relay is unlocked and its read-back confirmed it (it switched now, or
     * was already unlocked and reads back so); only then may the caller report the person as let in. Returns
     * false when the door refused (lockdown, fault, not running: nothing changes) and when the relay failed or read
     * back locked (the door is then in fault, locked, and says so with a FAULT event).
     */
    public boolean grant(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        if (!decision.granted()) {
            throw new IllegalArgumentException("grant() needs a granted decision, got " + decision.reason());
        }
        return guarded(() -> {
            String refused = refusal();
            if (refused != null) {
                log.info("grant for {} refused: {}", decision.personId(), refused);
                return false;
            }
            checkRelay(); // a relay that is not where it should be is a fault, found before unlocking
            startUnlock(Duration.ofMillis(cfg.unlockMs()), decision.personId(), "face");
            confirmUnlocked();
            return true;
        }, false);
    }

    /**
     * Admin timed unlock. {@code duration} must be positive and at most {@code door.max_unlock_ms}. Returns true
     * only when the relay read back unlocked (as {@link #grant}); false in lockdown, in fault, when not running or
     * when the relay failed.
     */
    public boolean unlockFor(Duration duration, String source) {
        Objects.requireNonNull(duration, "duration");
        requireText(source, "source");
        if (duration.isNegative() || duration.isZero() || duration.toMillis() > cfg.maxUnlockMs()) {
            throw new IllegalArgumentException("unlock duration must be 1.." + cfg.maxUnlockMs() + " ms, got "
                    + duration.toMillis() + " ms");
        }
        return guarded(() -> {
            String refused = refusal();
            if (refused != null) {
                log.info("unlock by {} refused: {}", source, refused);
                return false;
            }
            checkRelay();
            startUnlock(duration, null, source);
            confirmUnlocked();
            return true;
        }, false);
    }

    /**
     * Ends a running timed unlock now (hold-open is ended with {@link #setHoldOpen}). Returns false only when not
     * running; what the relay reads back afterwards (in fault: possibly still unlocked) is in {@link #state()}.
     */
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
            DoorModeStore.Modes next = new DoorModeStore.Modes(on, !on && holdOpenAdmin);
            if (!on && !saveModes(next, "lockdown off")) {
                return false; // never relax a mode that the next start would not know about
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
            if (on) {
                saveModes(next, "lockdown on"); // in force already; a failure is reported, not undone
            }
            return true;
        }, false);
    }

    /**
     * Admin hold-open: the door stays unlocked until switched off. Refused (false) during lockdown and in fault.
     */
    public boolean setHoldOpen(boolean on, String by) {
        requireText(by, "by");
        return guarded(() -> {
            if (!running() || (on && (lockdown || fault != null))) {
                return false;
            }
            if (holdOpenAdmin == on) {
                return true;
            }
            DoorModeStore.Modes next = new DoorModeStore.Modes(lockdown, on);
            if (on && !saveModes(next, "hold-open on")) {
                return false;
            }
            holdOpenAdmin = on;
            emit(on ? Type.HOLD_OPEN_ON : Type.HOLD_OPEN_OFF, null, by);
            if (on) {
                clearHeldAlarm();
            } else {
                afterHoldOpenEnded();
            }
            applyRelay(null, on ? "hold-open by " + by : "hold-open ended by " + by);
            if (!on) {
                saveModes(next, "hold-open off");
            }
            return true;
        }, false);
    }

    /**
     * A snapshot. The relay is read back now: {@code unlocked} is what the hardware says (true when the read-back
     * fails: a relay that cannot be read is not known to be locked). A read-back that disagrees with what the
     * controller last confirmed is reported as it is, and a fault check is scheduled at once.
     */
    public synchronized DoorState state() {
        boolean unlocked = relayUnlocked || !relayKnown;
        String why = fault;
        if (running()) {
            try {
                boolean now = hw.relayEnergised() != cfg.lockedEnergised();
                if (now != relayUnlocked || !relayKnown) {
                    scheduleVerify();
                }
                unlocked = now;
            } catch (RuntimeException e) {
                unlocked = true;
                why = why != null ? why : "relay read-back failed: " + e.getMessage();
                scheduleVerify();
            }
        }
        return new DoorState(unlocked, doorOpen, lockdown, holdOpen(), holdOpenInput, forcedAlarm,
                heldOpenAlarm, unlockUntil, why);
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
                cancel(lockRetryTimer);
                debounce.values().forEach(d -> cancel(d.timer));
                unlockUntil = null;
                if (tryLock()) {
                    if (reportedUnlocked) {
                        emitRelay(false, null, "shutdown");
                    }
                } else {
                    emit(Type.FAULT, null, "relay not confirmed locked at shutdown; the GPIO shutdown state drives"
                            + " it to locked once more");
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
        // a relay unlocked by a fault authorises nobody
        boolean authorised = relayUnlocked && fault == null;
        String why = authorised ? (holdOpen() ? "hold-open" : unlockPerson != null ? "granted" : "unlocked")
                : rex ? "exit request" : "forced";
        emit(Type.OPENED, authorised ? unlockPerson : null, why);
        if (!authorised && !rex) {
            forcedAlarm = true;
            emit(Type.FORCED, null, lockdown ? "opened during lockdown"
                    : fault != null ? "opened during a door fault" : "opened while locked");
        }
        if (authorised && unlockUntil != null) {
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
        if (fault != null) {
            emit(Type.EXIT_REQUEST, null, "refused: door fault (" + fault + ")");
            return;
        }
        emit(Type.EXIT_REQUEST, null, cfg.exitUnlocks() ? "unlocking" : "egress without unlock");
        if (cfg.exitUnlocks()) {
            checkRelay();
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

    /**
     * Takes lockdown and the admin hold-open from the store. Modes that were stored but cannot be read put the door
     * in lockdown, which only an admin ends (and ending it writes a good file); the damaged file is left alone.
     */
    private void restoreModes() {
        DoorModeStore.Modes m;
        String damaged = null;
        try {
            m = modes.load();
        } catch (RuntimeException e) {
            damaged = e.getMessage() != null ? e.getMessage() : e.toString();
            log.error("door modes cannot be read, starting in lockdown: {}", damaged);
            m = DoorModeStore.Modes.LOCKDOWN;
        }
        lockdown = m.lockdown();
        holdOpenAdmin = m.holdOpen();
        if (damaged != null) {
            emit(Type.LOCKDOWN_ON, null, "fail closed: " + damaged + "; an admin must end the lockdown");
        } else if (lockdown) {
            emit(Type.LOCKDOWN_ON, null, "restored from " + modes.describe());
        }
        if (holdOpenAdmin) {
            emit(Type.HOLD_OPEN_ON, null, "restored from " + modes.describe());
        }
    }

    /** Stores the modes; false (with a FAULT event saying what is not durable) when that failed. */
    private boolean saveModes(DoorModeStore.Modes next, String change) {
        try {
            modes.save(next);
            return true;
        } catch (RuntimeException e) {
            log.error("door modes: {} not saved: {}", change, e.getMessage());
            emit(Type.FAULT, null, "modes: " + change + " not saved (" + e.getMessage() + ")");
            return false;
        }
    }

    /** Why a grant or an unlock would be refused now; null when it would not. */
    private String refusal() {
        if (!running()) {
            return "not running";
        }
        if (lockdown) {
            return "lockdown";
        }
        return fault == null ? null : "door fault (" + fault + ")";
    }

    /**
     * Brings the relay in line with the rules; emits UNLOCKED/LOCKED when it switched and read back so. In fault it
     * does nothing: the lock retry owns the relay until the read-back confirms locked.
     */
    private void applyRelay(String personId, String detail) {
        if (fault != null) {
            return;
        }
        boolean want = holdOpen() || (!lockdown && unlockUntil != null);
        if (want == relayUnlocked && relayKnown) {
            return;
        }
        driveRelay(want);
        emitRelay(want, want ? personId : null, detail);
        updateIndicator();
    }

    /**
     * Commands the relay, then reads it back. Throws {@link DoorHardwareException} when the command fails, the
     * read-back fails or the read-back disagrees with the command; {@link #relayUnlocked} is whatever was read.
     */
    private void driveRelay(boolean unlocked) {
        // energised means unlocked for fail-secure, locked for fail-safe
        hw.setRelay(unlocked != cfg.lockedEnergised());
        readBack();
        if (relayUnlocked != unlocked) {
            throw new DoorHardwareException("relay read back " + word(relayUnlocked) + " after it was driven "
                    + word(unlocked), null);
        }
    }

    private void readBack() {
        try {
            relayUnlocked = hw.relayEnergised() != cfg.lockedEnergised();
            relayKnown = true;
        } catch (RuntimeException e) {
            relayKnown = false;
            throw new DoorHardwareException("relay read-back failed: " + e.getMessage(), e);
        }
    }

    /** The relay must read back what was last reported; otherwise something else moved it (or it broke). */
    private void checkRelay() {
        readBack();
        if (relayUnlocked != reportedUnlocked) {
            throw new DoorHardwareException("relay read back " + word(relayUnlocked) + " while it should be "
                    + word(reportedUnlocked), null);
        }
    }

    /** After an unlock: the relay must read back unlocked, or the unlock did not happen. */
    private void confirmUnlocked() {
        readBack();
        if (!relayUnlocked) {
            throw new DoorHardwareException("relay read back locked after an unlock", null);
        }
    }

    /** Drives the relay to locked and reads it back; true when the read-back confirms locked. Never throws. */
    private boolean tryLock() {
        try {
            driveRelay(false);
            return true;
        } catch (RuntimeException e) {
            log.error("could not lock the relay: {}", e.getMessage());
            return false;
        }
    }

    private static String word(boolean unlocked) {
        return unlocked ? "unlocked" : "locked";
    }

    private void emitRelay(boolean unlocked, String personId, String detail) {
        reportedUnlocked = unlocked;
        emit(unlocked ? Type.UNLOCKED : Type.LOCKED, personId, detail);
    }

    private void updateIndicator() {
        setIndicator(relayUnlocked || (cfg.indicatorOnAlarm() && (forcedAlarm || heldOpenAlarm || fault != null)));
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

    /**
     * Something went wrong inside a transition: the door goes into fault, tries to lock at once, reports only
     * what the read-back says, and keeps retrying the lock until the read-back confirms it.
     */
    private void fail(RuntimeException e) {
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        log.error("door fault, locking: {}", reason, e);
        fault = reason;
        endTimedUnlock();
        boolean locked = tryLock();
        emit(Type.FAULT, null, reason + (locked ? "; relay read back locked"
                : "; relay NOT confirmed locked, retrying"));
        if (locked && reportedUnlocked) {
            emitRelay(false, null, "fault");
        }
        updateIndicator();
        scheduleLockRetry();
    }

    private void scheduleLockRetry() {
        if (lockRetryTimer != null) {
            return;
        }
        Duration delay = lockRetryDelay;
        lockRetryDelay = delay.multipliedBy(2).compareTo(LOCK_RETRY_MAX) > 0 ? LOCK_RETRY_MAX : delay.multipliedBy(2);
        long gen = ++lockRetryGen;
        try {
            lockRetryTimer = scheduler.schedule(delay, () -> guarded(() -> retryLock(gen), null));
        } catch (RuntimeException e) {
            // no timer, no retry: the door stays in fault (refusing everything) until restarted
            log.error("cannot schedule the lock retry, the door stays in fault: {}", e.toString());
        }
    }

    private Void retryLock(long gen) {
        if (!running() || gen != lockRetryGen || fault == null) {
            return null;
        }
        lockRetryTimer = null;
        lockRetries++;
        if (!tryLock()) {
            log.warn("door fault: lock retry {} failed, next in {} ms", lockRetries, lockRetryDelay.toMillis());
            scheduleLockRetry();
            return null;
        }
        String was = fault;
        int retries = lockRetries;
        fault = null;
        lockRetries = 0;
        lockRetryDelay = LOCK_RETRY_FIRST;
        if (reportedUnlocked) {
            emitRelay(false, null, "fault recovery");
        }
        emit(Type.FAULT_CLEARED, null, "relay read back locked after " + retries + " retr"
                + (retries == 1 ? "y" : "ies") + "; the fault was: " + was);
        updateIndicator();
        applyRelay(null, "fault cleared"); // a hold-open resumes
        return null;
    }

    /** {@link #state()} read back something unexpected: check it under the lock, soon, as a transition. */
    private void scheduleVerify() {
        if (verifyPending || fault != null) {
            return;
        }
        verifyPending = true;
        try {
            scheduler.schedule(Duration.ZERO, () -> guarded(() -> {
                verifyPending = false;
                if (running() && fault == null) {
                    checkRelay();
                }
                return null;
            }, null));
        } catch (RuntimeException e) {
            verifyPending = false;
            log.error("cannot schedule the relay check: {}", e.toString());
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

package io.facegate.door;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link DoorHardware} without Pi4J, for fault injection. Without faults it keeps the {@link DoorHardware}
 * contract ({@link DoorHardwareContractTest} runs on it and on the Pi4J mock). With faults it models what real
 * relays do:
 * <ul>
 *   <li>{@link #failLock} / {@link #failUnlock}: the driver throws and the coil keeps its state;</li>
 *   <li>{@link #stuckEnergised}: the driver accepts the command but the coil stays where it is (a welded contact,
 *       a dead driver transistor); the read-back tells;</li>
 *   <li>{@link #readBackLies}: the read-back returns the opposite of the coil;</li>
 *   <li>{@link #failReadBack}: the read-back throws.</li>
 * </ul>
 * {@link #coilEnergised()} is the physical truth the test checks the controller against.
 */
final class FakeDoorHardware implements DoorHardware {
    private final boolean lockedEnergised;
    private final Set<Input> wired;
    private final Map<Input, Boolean> levels = new EnumMap<>(Input.class);
    private boolean coil;
    private boolean indicator;
    private boolean closed;
    private volatile InputListener listener;
    /** Every relay command that reached the driver (true = energise), successful or not. */
    final List<Boolean> relayCommands = Collections.synchronizedList(new ArrayList<>());

    volatile boolean failLock;
    volatile boolean failUnlock;
    volatile Boolean stuckEnergised;
    volatile boolean readBackLies;
    volatile boolean failReadBack;

    FakeDoorHardware(boolean lockedEnergised, Set<Input> wired) {
        this.lockedEnergised = lockedEnergised;
        this.wired = wired.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(wired));
        this.coil = lockedEnergised; // the output is created locked, like Pi4J's 'initial' state
        for (Input in : this.wired) {
            levels.put(in, false);
        }
    }

    FakeDoorHardware(boolean lockedEnergised) {
        this(lockedEnergised, EnumSet.of(Input.CONTACT, Input.EXIT_BUTTON));
    }

    @Override
    public synchronized void setRelay(boolean energised) {
        relayCommands.add(energised);
        if (closed) {
            throw new DoorHardwareException("fake GPIO is closed", null);
        }
        if (energised == lockedEnergised ? failLock : failUnlock) {
            throw new DoorHardwareException("injected: relay driver failed to " + (energised == lockedEnergised
                    ? "lock" : "unlock"), null);
        }
        coil = stuckEnergised != null ? stuckEnergised : energised;
    }

    @Override
    public synchronized boolean relayEnergised() {
        if (failReadBack) {
            throw new DoorHardwareException("injected: relay read-back failed", null);
        }
        return readBackLies != coil;
    }

    /** The physical coil, whatever the read-back says. */
    synchronized boolean coilEnergised() {
        return coil;
    }

    synchronized boolean physicallyLocked() {
        return coil == lockedEnergised;
    }

    /** Clears every injected fault. */
    void heal() {
        failLock = false;
        failUnlock = false;
        stuckEnergised = null;
        readBackLies = false;
        failReadBack = false;
    }

    @Override
    public synchronized void setIndicator(boolean on) {
        if (!closed) {
            indicator = on;
        }
    }

    synchronized boolean indicator() {
        return indicator;
    }

    @Override
    public Set<Input> inputs() {
        return wired;
    }

    @Override
    public synchronized boolean read(Input input) {
        Boolean level = levels.get(input);
        if (level == null) {
            throw new IllegalArgumentException(input + " is not wired");
        }
        return level;
    }

    /** Changes an input's logical level and tells the listener, like a GPIO edge. */
    void setInput(Input input, boolean active) {
        InputListener l;
        synchronized (this) {
            if (!wired.contains(input)) {
                throw new IllegalArgumentException(input + " is not wired");
            }
            if (levels.put(input, active) == active) {
                return;
            }
            l = closed ? null : listener;
        }
        if (l != null) {
            l.onInput(input, active);
        }
    }

    @Override
    public void setInputListener(InputListener listener) {
        this.listener = listener;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        listener = null;
        if (stuckEnergised == null) {
            coil = lockedEnergised; // the shutdown state, like Pi4J's
        }
        indicator = false;
        closed = true;
    }
}

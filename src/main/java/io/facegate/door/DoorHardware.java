package io.facegate.door;

import java.util.Set;

/**
 * The door's wires, in logical terms: the relay is energised or not, an input is active or not. Polarity,
 * normally-open/normally-closed contacts and pull resistors are resolved by the implementation, so the
 * {@link DoorController} never reasons about pin levels. Implementations must be thread-safe.
 */
public interface DoorHardware extends AutoCloseable {

    /** The inputs a door can have; which ones are wired is configuration. */
    enum Input {
        /** active = the door is open */
        CONTACT,
        /** active = the request-to-exit button is pressed */
        EXIT_BUTTON,
        /** active = hold-open is requested (fire panel or similar) */
        HOLD_OPEN
    }

    /** Called with the raw (not debounced) logical level of an input after every edge, on any thread. */
    @FunctionalInterface
    interface InputListener {
        void onInput(Input input, boolean active);
    }

    /** Drives the relay coil. Throws {@link DoorHardwareException} when the output could not be set. */
    void setRelay(boolean energised);

    /**
     * What the relay output is driven to now, read back from the output (never the last command remembered by
     * the caller). Throws {@link DoorHardwareException} when it cannot be read or is in no defined state: the
     * controller then treats the relay as not known to be locked.
     */
    boolean relayEnergised();

    /** Drives the buzzer/LED when one is wired; does nothing otherwise. */
    void setIndicator(boolean on);

    /** The inputs that are wired. */
    Set<Input> inputs();

    /** Current logical level of a wired input. */
    boolean read(Input input);

    /** The one listener for input edges (replaces any earlier one; null removes it). */
    void setInputListener(InputListener listener);

    /** Leaves the relay in the configured locked state and releases the pins. Idempotent. */
    @Override
    void close();
}

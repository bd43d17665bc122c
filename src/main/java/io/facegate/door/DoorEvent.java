package io.facegate.door;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened at the door, for the event stream (MQTT) and the log.
 *
 * @param type     what happened
 * @param time     when (controller clock)
 * @param personId the person a grant was for; null otherwise
 * @param detail   short human-readable context: who or what caused it ("face", "exit-button", "admin:alice",
 *                 "fire input", "unlock time over", ...)
 */
public record DoorEvent(Type type, Instant time, String personId, String detail) {

    public enum Type {
        /** the door contact opened */
        OPENED,
        /** the door contact closed */
        CLOSED,
        /** the door opened while locked with no grant and no exit request */
        FORCED,
        /** the door stayed open longer than door.held_open_ms */
        HELD_OPEN,
        /** the exit button was pressed (detail says whether it was refused) */
        EXIT_REQUEST,
        /** an unlock was granted: the relay switched to unlocked, or an unlock already running was extended */
        UNLOCKED,
        /** the relay switched to locked */
        LOCKED,
        LOCKDOWN_ON,
        LOCKDOWN_OFF,
        HOLD_OPEN_ON,
        HOLD_OPEN_OFF,
        /**
         * a hardware or internal error: the door is in fault, refuses unlocks and retries the lock (the detail says
         * why and whether the relay read back locked); also an indicator failure, which changes nothing else
         */
        FAULT,
        /** the relay read back locked after a fault: the door works again */
        FAULT_CLEARED
    }

    public DoorEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        detail = detail == null ? "" : detail;
    }
}

package io.facegate.door;

import java.time.Instant;

/**
 * A snapshot of the door for status queries (MQTT state topic, admin CLI).
 *
 * @param unlocked       the relay reads back unlocked, or cannot be read back (not known to be locked)
 * @param doorOpen       true open, false closed, null when no contact is wired
 * @param lockdown       lockdown mode is on
 * @param holdOpen       hold-open mode is on (admin or input)
 * @param holdOpenInput  the hold-open input (fire panel) is active
 * @param forcedAlarm    the door was forced and has not closed since
 * @param heldOpenAlarm  the door is held open past door.held_open_ms
 * @param unlockedUntil  end of the running timed unlock, null when none
 * @param fault          why the door is in fault (the relay could not be driven or read back what was commanded):
 *                       it refuses every unlock and retries the lock until the read-back confirms it; null when
 *                       there is no fault
 */
public record DoorState(boolean unlocked, Boolean doorOpen, boolean lockdown, boolean holdOpen,
                        boolean holdOpenInput, boolean forcedAlarm, boolean heldOpenAlarm, Instant unlockedUntil,
                        String fault) {

    /** The door is in fault: see {@link #fault()}. */
    public boolean faulted() {
        return fault != null;
    }

    /** True when the door is unlocked or physically open: a grant now would change nothing for the person. */
    public boolean openOrUnlocked() {
        return unlocked || Boolean.TRUE.equals(doorOpen);
    }
}

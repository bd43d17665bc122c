package io.facegate.mqtt;

import java.util.Locale;

/** What a signed command asks for. The wire name is the lower-case constant name. */
public enum CommandKind {
    ENROLL(true), UPDATE_PERSON(true), REMOVE_PERSON(true), UNLOCK(false), LOCKDOWN(false), SYNC_GALLERY(false),
    /** Save face crops for liveness calibration into a named folder under access.capture_dir, for some seconds. */
    CAPTURE_FACES(false),
    /** Delete a capture folder's crops. */
    DELETE_CAPTURE(false);

    /** Changes one person of the gallery: ordered per person by (issued_at, id) so every door converges. */
    public final boolean changesPerson;

    CommandKind(boolean changesPerson) {
        this.changesPerson = changesPerson;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CommandKind fromWire(String s) {
        for (CommandKind k : values()) {
            if (k.wire().equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown command kind '" + s + "'");
    }
}

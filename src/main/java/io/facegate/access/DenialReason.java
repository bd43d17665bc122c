package io.facegate.access;

/** Why a face was not let in: a fixed list, so events and dashboards can count them. */
public enum DenialReason {
    UNKNOWN_FACE,
    LOW_MARGIN,
    /** Every frame of the track failed a quality gate (too small, turned, blurred, or the model was unsure). */
    POOR_QUALITY,
    SPOOF_SUSPECTED,
    PERSON_DISABLED,
    NOT_YET_VALID,
    EXPIRED,
    OUTSIDE_SCHEDULE,
    LOCKDOWN,
    /** The gallery cannot vouch for this person: a change of theirs was not stored, or it cannot be read. */
    GALLERY_DEGRADED
}

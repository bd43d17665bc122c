package io.facegate.access;

import java.time.Instant;
import java.util.Objects;

/**
 * The outcome of the access policy for one tracked face: granted to a person, or denied with one reason.
 *
 * @param granted     true only when the door may open for {@code personId}
 * @param personId    the person granted, or the person recognised but refused; null for an unknown face
 * @param displayName that person's display name when known
 * @param reason      null when granted, else why not
 * @param score       mean similarity over the voting frames
 * @param liveness    mean live probability over the voting frames (NaN when not computed)
 * @param trackId     the tracked face this decision is about
 * @param time        when the decision was taken
 */
public record Decision(boolean granted, String personId, String displayName, DenialReason reason,
                       double score, double liveness, long trackId, Instant time) {
    public Decision {
        Objects.requireNonNull(time, "time");
        if (granted == (reason != null)) {
            throw new IllegalArgumentException("a decision is either granted or has a denial reason");
        }
    }

    public static Decision grant(String personId, String displayName, double score, double liveness,
                                 long trackId, Instant time) {
        return new Decision(true, Objects.requireNonNull(personId), displayName, null, score, liveness, trackId, time);
    }

    public static Decision deny(DenialReason reason, String personId, String displayName, double score,
                                double liveness, long trackId, Instant time) {
        return new Decision(false, personId, displayName, Objects.requireNonNull(reason), score, liveness, trackId, time);
    }
}

package io.facegate.access;

import java.util.Map;

/**
 * Counters of the access policy since start, for the status topic and the log: nothing is dropped silently.
 *
 * @param granted            grants returned
 * @param denied             denials concluded, per reason, whether reported or rate-limited
 * @param unknownSuppressed  UNKNOWN_FACE denials not returned because of access.unknown_event_interval_ms
 * @param cooldownSuppressed would-be grants not returned because the same person was just let in and the door is
 *                           still open or unlocked
 * @param framesIgnored      frames not voted on (face too small, older than the track's newest frame)
 * @param tracks             tracks currently held
 */
public record AccessStats(long granted, Map<DenialReason, Long> denied, long unknownSuppressed,
                          long cooldownSuppressed, long framesIgnored, int tracks) {
    public AccessStats {
        denied = Map.copyOf(denied);
    }

    public long denied(DenialReason reason) {
        return denied.getOrDefault(reason, 0L);
    }
}

package io.facegate.camera;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff between attempts to reopen a camera: a camera that is briefly gone comes back fast,
 * one that is unplugged for hours costs one attempt per {@code max}. Not thread-safe.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private Duration current;

    public Backoff(Duration initial, Duration max, double multiplier) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and multiplier >= 1, got "
                    + initial + ", " + max + ", " + multiplier);
        }
        this.multiplier = multiplier;
        this.current = initial;
    }

    /** The wait before the next attempt; each call makes the following one longer, up to the cap. */
    public Duration next() {
        Duration d = current;
        double grownMs = Math.min((double) max.toMillis(), current.toMillis() * multiplier);
        current = Duration.ofMillis((long) Math.ceil(grownMs));
        return d;
    }

    /** After a success: the next failure waits {@code initial} again. */
    public void reset() {
        current = initial;
    }
}

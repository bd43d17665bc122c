package io.facegate.camera;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Releases frames no faster than a given rate, the way a camera would deliver them. When the reader falls
 * behind it does not try to catch up with a burst: the schedule restarts from now.
 */
public final class Pacer {
    private final long intervalNanos;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private long nextDue = Long.MIN_VALUE;

    /** @param fps frames per second; 0 or less means no pacing at all */
    public Pacer(double fps, Sleeper sleeper, LongSupplier nanoClock) {
        this.intervalNanos = fps > 0 ? (long) (1_000_000_000L / fps) : 0;
        this.sleeper = sleeper;
        this.nanoClock = nanoClock;
    }

    /** Waits until the next frame is due. */
    public void await() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (nextDue == Long.MIN_VALUE || now - nextDue > intervalNanos) {
            nextDue = now;
        } else if (nextDue > now) {
            sleeper.sleep(Duration.ofNanos(nextDue - now));
        }
        nextDue += intervalNanos;
    }

    long intervalNanos() {
        return intervalNanos;
    }
}

package io.facegate.door;

import java.time.Duration;

/**
 * Runs a task after a delay. The door's timers go through this (and its time through a {@link java.time.Clock})
 * so tests can advance time deterministically instead of sleeping.
 */
public interface DoorScheduler extends AutoCloseable {

    /** A scheduled task that can be cancelled; cancelling one that already ran does nothing. */
    interface Cancellable {
        void cancel();
    }

    Cancellable schedule(Duration delay, Runnable task);

    @Override
    default void close() {
    }
}

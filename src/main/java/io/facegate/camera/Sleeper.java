package io.facegate.camera;

import java.time.Duration;

/** Waits; a seam so that tests of pacing and backoff run without real sleeps. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    Sleeper REAL = d -> {
        long ms = d.toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    };
}

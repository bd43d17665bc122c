package io.facegate.daemon;

import io.facegate.access.Decision;
import io.facegate.door.DoorEvent;

/**
 * Where the daemon reports what happens: access decisions, door events and its own events (camera lost and
 * restored, started, stopping). The MQTT link, the demo's console and tests implement it. Implementations must be
 * quick and must not throw: they are called from the pipeline and door threads.
 */
public interface EventSink {
    void decision(Decision decision);

    void door(DoorEvent event);

    /** A daemon event such as {@code camera_lost}; {@code detail} is human-readable. */
    void system(String type, String detail);

    /** Sends every event to each sink in turn; one sink failing does not stop the others. */
    static EventSink all(EventSink... sinks) {
        return new EventSink() {
            @Override
            public void decision(Decision d) {
                for (EventSink s : sinks) {
                    safely(() -> s.decision(d));
                }
            }

            @Override
            public void door(DoorEvent e) {
                for (EventSink s : sinks) {
                    safely(() -> s.door(e));
                }
            }

            @Override
            public void system(String type, String detail) {
                for (EventSink s : sinks) {
                    safely(() -> s.system(type, detail));
                }
            }
        };
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(EventSink.class).warn("event sink failed: {}", e.toString());
        }
    }
}

package io.facegate.door;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A clock and a scheduler that only move when a test says so: {@link #advance} runs every task that falls due,
 * in time order, with the clock set to each task's due time. No threads, no sleeping.
 */
public final class ManualTime extends Clock implements DoorScheduler {
    private Instant now;
    private long seq;
    private final List<Task> tasks = new ArrayList<>();

    private final class Task implements Cancellable {
        final Instant due;
        final long order;
        final Runnable run;
        boolean cancelled;

        Task(Instant due, long order, Runnable run) {
            this.due = due;
            this.order = order;
            this.run = run;
        }

        @Override
        public void cancel() {
            synchronized (ManualTime.this) {
                cancelled = true;
                tasks.remove(this);
            }
        }
    }

    public ManualTime(Instant start) {
        this.now = start;
    }

    public ManualTime() {
        this(Instant.parse("2025-01-06T08:00:00Z"));
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(now.plus(delay.isNegative() ? Duration.ZERO : delay), seq++, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code d}, running due tasks (tasks scheduled meanwhile run too when due). */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        Instant target;
        synchronized (this) {
            target = now.plus(d);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(target))
                        .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.order)).orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                now = next.due;
            }
            next.run.run();
        }
    }

    public void advanceMillis(long ms) {
        advance(Duration.ofMillis(ms));
    }

    public synchronized int pendingTasks() {
        return tasks.size();
    }
}

package io.facegate.daemon;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Continuous latency and throughput of the pipeline, for the health message and {@code facegate bench}:
 * per stage the median and 90th percentile over the last {@code window} samples, frames per second over the
 * last few seconds, and dropped frames. Recording is cheap (a store into a ring buffer); sorting happens
 * only when a snapshot is taken. Thread-safe.
 */
public final class PipelineMetrics {

    /** The stages of one frame, in order. */
    public enum Stage {
        /** camera thread: waiting for and decoding one frame (about 1/fps for a live camera) */
        CAPTURE,
        /** age of a frame when processing starts: time spent in the one-frame mailbox */
        QUEUE,
        DETECT,
        LANDMARKS,
        LIVENESS,
        EMBED,
        MATCH,
        DECIDE,
        /** everything done for one frame on the processing thread */
        FRAME;

        /** The key used in snapshots: lower case, as in JSON and YAML. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Latency of one stage in milliseconds; {@code count} is every sample ever, the percentiles the recent ones. */
    public record StageStats(long count, double p50Ms, double p90Ms, double maxMs) {
    }

    /**
     * A consistent copy for reporting.
     *
     * @param stages          by {@link Stage#key()}, only stages that have samples, in pipeline order
     * @param fps             frames processed per second over the last {@value #FPS_WINDOW_SECONDS} seconds
     * @param framesProcessed frames processed since start
     * @param framesDropped   frames replaced before being processed since start
     */
    public record Snapshot(Map<String, StageStats> stages, double fps, long framesProcessed, long framesDropped) {
    }

    static final int FPS_WINDOW_SECONDS = 5;
    private static final long FPS_WINDOW_NANOS = FPS_WINDOW_SECONDS * 1_000_000_000L;

    private final Map<Stage, Ring> rings = new EnumMap<>(Stage.class);
    private final Ring frameTimes;
    private final LongSupplier nanoClock;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** @param window samples kept per stage for the percentiles (e.g. {@code pipeline.metrics_window}) */
    public PipelineMetrics(int window) {
        this(window, System::nanoTime);
    }

    public PipelineMetrics(int window, LongSupplier nanoClock) {
        if (window < 2) {
            throw new IllegalArgumentException("window must be >= 2, got " + window);
        }
        for (Stage s : Stage.values()) {
            rings.put(s, new Ring(window));
        }
        this.frameTimes = new Ring(Math.max(window, 64));
        this.nanoClock = nanoClock;
    }

    /** Adds one latency sample. */
    public void record(Stage stage, long nanos) {
        rings.get(stage).add(Math.max(0, nanos));
    }

    /** Starts timing {@code stage}; closing the timer records the sample: {@code try (var t = m.time(DETECT)) {...}}. */
    public StageTimer time(Stage stage) {
        return new StageTimer(this, stage, nanoClock.getAsLong());
    }

    /** One frame went through the whole pipeline. */
    public void frameProcessed() {
        processed.incrementAndGet();
        frameTimes.add(nanoClock.getAsLong());
    }

    /** One frame was replaced before it could be processed (see {@link LatestFrameSlot}). */
    public void frameDropped() {
        dropped.incrementAndGet();
    }

    long now() {
        return nanoClock.getAsLong();
    }

    public Snapshot snapshot() {
        Map<String, StageStats> stages = new LinkedHashMap<>();
        for (Stage s : Stage.values()) {
            Ring r = rings.get(s);
            long[] sorted;
            long count;
            synchronized (r) {
                sorted = r.copy();
                count = r.total;
            }
            if (sorted.length == 0) {
                continue;
            }
            Arrays.sort(sorted);
            stages.put(s.key(), new StageStats(count, ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.90)),
                    ms(sorted[sorted.length - 1])));
        }
        return new Snapshot(Collections.unmodifiableMap(stages), fps(), processed.get(), dropped.get());
    }

    private double fps() {
        long[] times;
        synchronized (frameTimes) {
            times = frameTimes.copy();
        }
        long now = nanoClock.getAsLong();
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        int n = 0;
        for (long t : times) {
            if (now - t <= FPS_WINDOW_NANOS) {
                n++;
                oldest = Math.min(oldest, t);
                newest = Math.max(newest, t);
            }
        }
        if (n < 2 || newest == oldest) {
            return 0.0; // stalled or just started: nothing to measure a rate on
        }
        return (n - 1) * 1e9 / (newest - oldest);
    }

    /** Nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0; // microsecond resolution is plenty
    }

    /** Fixed-size ring of the most recent samples. Guarded by its own monitor. */
    private static final class Ring {
        private final long[] values;
        private int next;
        private int size;
        private long total;

        Ring(int capacity) {
            values = new long[capacity];
        }

        synchronized void add(long v) {
            values[next] = v;
            next = (next + 1) % values.length;
            if (size < values.length) {
                size++;
            }
            total++;
        }

        synchronized long[] copy() {
            return Arrays.copyOf(values, size); // while filling, the samples are the first size slots
        }
    }
}

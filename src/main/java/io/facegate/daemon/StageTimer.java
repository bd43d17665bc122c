package io.facegate.daemon;

/** Times one stage of one frame; closing records the elapsed time once. Not thread-safe (one frame, one thread). */
public final class StageTimer implements AutoCloseable {
    private final PipelineMetrics metrics;
    private final PipelineMetrics.Stage stage;
    private final long start;
    private boolean done;

    StageTimer(PipelineMetrics metrics, PipelineMetrics.Stage stage, long start) {
        this.metrics = metrics;
        this.stage = stage;
        this.start = start;
    }

    /** Nanoseconds since the timer started. */
    public long elapsedNanos() {
        return metrics.now() - start;
    }

    @Override
    public void close() {
        if (!done) {
            done = true;
            metrics.record(stage, elapsedNanos());
        }
    }
}

package io.facegate.daemon;

import io.facegate.camera.CameraException;
import io.facegate.camera.CameraFrame;
import io.facegate.camera.FrameSource;
import io.facegate.camera.ResilientFrameSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The camera thread: grabs frames as fast as the camera delivers them and puts each into a
 * {@link LatestFrameSlot}, so the processing thread always takes the newest one. Grabbing never waits for
 * processing, which keeps the camera's own buffers drained (a V4L2 or RTSP source that is read too slowly
 * hands out frames that are seconds old).
 *
 * <p>The pump owns the source and closes it; give it a {@link ResilientFrameSource} so that a lost camera is
 * reopened instead of ending the pump.
 */
public final class FramePump implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FramePump.class);

    private final FrameSource source;
    private final LatestFrameSlot<CameraFrame> slot;
    private final PipelineMetrics metrics;
    private final Thread thread;
    private final AtomicLong grabbed = new AtomicLong();
    private volatile boolean running = true;
    private volatile String endReason;
    private volatile boolean failed;

    /**
     * @param metrics receives the capture time of each frame and the dropped frames; may be null
     */
    public FramePump(FrameSource source, LatestFrameSlot<CameraFrame> slot, PipelineMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
        this.slot = Objects.requireNonNull(slot, "slot");
        this.metrics = metrics;
        this.thread = new Thread(this::run, "facegate-camera");
        this.thread.setDaemon(true);
    }

    /** Opens the source and starts grabbing on the camera thread. */
    public FramePump start() throws CameraException {
        source.open();
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                long failuresBefore = failures();
                long t0 = System.nanoTime();
                CameraFrame frame = source.grab();
                long took = System.nanoTime() - t0;
                if (frame == null) {
                    endReason = "end of stream from " + source.describe();
                    break;
                }
                grabbed.incrementAndGet();
                if (metrics != null && failures() == failuresBefore) { // an outage is not capture latency
                    metrics.record(PipelineMetrics.Stage.CAPTURE, took);
                }
                slot.put(frame);
            }
        } catch (CameraException | RuntimeException e) {
            endReason = e.getMessage() != null ? e.getMessage() : e.toString();
            failed = true;
            LOG.error("camera thread stopped: {}", e.getMessage(), e);
        } finally {
            source.close();
            slot.close(); // wakes the processor: no more frames will come
        }
    }

    private long failures() {
        return source instanceof ResilientFrameSource r ? r.failures() : 0;
    }

    /**
     * The newest frame, waiting up to {@code timeout}; null on timeout or when the pump has stopped. Records how
     * old the frame is (stage QUEUE). The caller closes the frame.
     */
    public CameraFrame takeLatest(Duration timeout) throws InterruptedException {
        CameraFrame f = slot.poll(timeout);
        if (f != null && metrics != null) {
            metrics.record(PipelineMetrics.Stage.QUEUE, System.nanoTime() - f.capturedNanos());
        }
        return f;
    }

    /** Frames grabbed since start. */
    public long grabbedCount() {
        return grabbed.get();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Whether the pump stopped on a camera failure rather than at the end of its source or by close(). */
    public boolean failed() {
        return failed;
    }

    /** Why the pump stopped by itself (end of a non-resilient source, a failure); null while running. */
    public String endReason() {
        return endReason;
    }

    /**
     * Stops grabbing and releases the camera. A {@link ResilientFrameSource} is woken at once; any other source
     * stops after its current grab.
     */
    @Override
    public void close() {
        running = false;
        if (source instanceof ResilientFrameSource r) {
            r.close(); // thread-safe: ends a backoff wait, releases the camera
        }
        slot.close();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            source.close(); // already closed by the camera thread, unless it never started
        } else {
            LOG.warn("camera thread did not stop within 10 s (a blocked read); it ends with the process");
        }
    }
}

package io.facegate.camera;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One captured image, owned by whoever holds it: the holder closes it exactly once (try-with-resources),
 * which frees the native pixel buffer. The image is BGR, 8 bits per channel, and never shares memory with
 * the grabber that produced it.
 *
 * <p>{@link #liveCount()} counts frames created and not yet closed in this JVM: a number that keeps growing
 * is a native memory leak, so the daemon reports it with its health.
 */
public final class CameraFrame implements AutoCloseable {
    private static final AtomicLong LIVE = new AtomicLong();

    private final Mat mat;
    private final Instant capturedAt;
    private final long capturedNanos;
    private volatile long sequence;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param mat           the BGR image; ownership passes to this frame
     * @param capturedAt    wall-clock capture time (for events)
     * @param capturedNanos {@link System#nanoTime()} at capture (for latency: monotonic)
     * @param sequence      number of this frame within its source, from 0, increasing by one per frame
     */
    public CameraFrame(Mat mat, Instant capturedAt, long capturedNanos, long sequence) {
        this.mat = Objects.requireNonNull(mat, "mat");
        this.capturedAt = Objects.requireNonNull(capturedAt, "capturedAt");
        this.capturedNanos = capturedNanos;
        this.sequence = sequence;
        LIVE.incrementAndGet();
    }

    /** The BGR image; valid only until {@link #close()}. */
    public Mat mat() {
        if (closed.get()) {
            throw new IllegalStateException("frame " + sequence + " is closed");
        }
        return mat;
    }

    public Instant capturedAt() {
        return capturedAt;
    }

    public long capturedNanos() {
        return capturedNanos;
    }

    public long sequence() {
        return sequence;
    }

    /** Gives the frame its number in a longer run (a reopened camera counts on instead of from 0). */
    void renumber(long newSequence) {
        this.sequence = newSequence;
    }

    public int width() {
        return mat().cols();
    }

    public int height() {
        return mat().rows();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Frees the pixels; a second call does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            mat.close();
            LIVE.decrementAndGet();
        }
    }

    /** Frames created in this JVM and not yet closed. */
    public static long liveCount() {
        return LIVE.get();
    }

    @Override
    public String toString() {
        return "CameraFrame#" + sequence + (closed.get() ? " (closed)" : " " + mat.cols() + "x" + mat.rows());
    }
}

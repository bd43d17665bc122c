package io.facegate.camera;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A frame source that outlives its camera: when the camera is lost (cannot be opened, a read fails, the
 * stream or file ends) it tells the {@link CameraListener} once, closes the broken source, and opens a fresh
 * one after an exponentially growing wait ({@link Backoff}) until frames flow again. {@link #grab()} therefore
 * blocks through outages and returns null only once this source is closed.
 *
 * <p>{@link #grab()} is for one thread (the camera thread); {@link #close()} may be called from any other
 * thread: it ends a backoff wait at once; a read in progress is waited for up to 5 s, after which the
 * grabbing thread releases the camera itself when the read returns.
 * Frame numbers continue across reopenings.
 */
public final class ResilientFrameSource implements FrameSource {
    private static final Logger LOG = LoggerFactory.getLogger(ResilientFrameSource.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String description;
    private final Supplier<? extends FrameSource> factory;
    private final CameraListener listener;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final CountDownLatch closedSignal = new CountDownLatch(1);
    private final ReentrantLock sourceLock = new ReentrantLock();

    private volatile boolean closed;
    private volatile boolean connected;
    private volatile long reconnects;
    private volatile long failures;
    private volatile String lastFailure;
    private FrameSource current;
    private boolean outage;
    private long sequence;

    /**
     * @param description what the camera is, for logs (no credentials)
     * @param factory     makes a new, unopened source for every (re)opening: native grabbers are not reused
     *                    after a failure
     * @param backoff     waits between attempts
     * @param sleeper     how to wait; null waits for real and is cut short by {@link #close()}
     */
    public ResilientFrameSource(String description, Supplier<? extends FrameSource> factory, CameraListener listener,
                                Backoff backoff, Sleeper sleeper) {
        this.description = Objects.requireNonNull(description, "description");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.listener = listener == null ? CameraListener.NONE : listener;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = sleeper != null ? sleeper : d -> closedSignal.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Does nothing: the camera is opened by the first {@link #grab()}, so a missing camera never stops start-up. */
    @Override
    public void open() {
    }

    /** The next frame, waiting through camera outages; null only after {@link #close()}. */
    @Override
    public CameraFrame grab() {
        while (!closed) {
            String failure;
            sourceLock.lock();
            try {
                if (closed) {
                    break;
                }
                failure = current == null ? openCurrent() : null;
                if (failure == null) {
                    try {
                        CameraFrame frame = current.grab();
                        if (closed) { // closed while this read blocked: the closer left the camera to us
                            if (frame != null) {
                                frame.close();
                            }
                            closeCurrent();
                            break;
                        }
                        if (frame != null) {
                            frame.renumber(sequence++);
                            onFrame();
                            return frame;
                        }
                        failure = "end of stream from " + current.describe();
                    } catch (CameraException | RuntimeException e) {
                        failure = e.getMessage();
                    }
                    closeCurrent();
                }
            } finally {
                sourceLock.unlock();
            }
            if (!waitBeforeRetry(failure)) {
                break;
            }
        }
        return null;
    }

    /** Opens a fresh source; null on success, else why not. Called holding the lock. */
    private String openCurrent() {
        FrameSource s = null;
        try {
            s = factory.get();
            s.open();
            current = s;
            return null;
        } catch (CameraException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    private void onFrame() {
        connected = true;
        backoff.reset();
        if (outage) {
            outage = false;
            reconnects++;
            LOG.info("camera restored: {}", description);
            try {
                listener.onCameraRestored();
            } catch (RuntimeException e) {
                LOG.warn("camera listener failed on restore", e);
            }
        }
    }

    /** Reports the failure (once per outage) and waits; false when closed meanwhile. */
    private boolean waitBeforeRetry(String reason) {
        connected = false;
        failures++;
        lastFailure = reason;
        Duration wait = backoff.next();
        if (!outage) {
            outage = true;
            LOG.warn("camera lost: {} ({}); reopening in {} ms", description, reason, wait.toMillis());
            try {
                listener.onCameraLost(reason);
            } catch (RuntimeException e) {
                LOG.warn("camera listener failed on loss", e);
            }
        } else {
            LOG.info("camera still unavailable: {} ({}); next attempt in {} ms", description, reason, wait.toMillis());
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !closed;
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** Stops: a waiting {@link #grab()} returns null, and the camera is released. */
    @Override
    public void close() {
        closed = true;
        closedSignal.countDown();
        connected = false;
        boolean locked = false;
        try {
            // A read in progress holds the lock; it is bounded by the stream timeouts, but a stalled device
            // may block longer: then the grabbing thread releases the camera when its read returns.
            locked = sourceLock.tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            try {
                closeCurrent();
            } finally {
                sourceLock.unlock();
            }
        } else {
            LOG.warn("camera read still blocked after {} s; the camera is released when it returns",
                    CLOSE_WAIT.toSeconds());
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** Whether the last attempt delivered a frame. */
    public boolean isConnected() {
        return connected;
    }

    /** Outages that ended with frames flowing again. */
    public long reconnects() {
        return reconnects;
    }

    /** Failed attempts (opening or reading) since start. */
    public long failures() {
        return failures;
    }

    /** Why the last attempt failed; null if none failed yet. */
    public String lastFailure() {
        return lastFailure;
    }
}

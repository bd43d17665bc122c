package io.facegate.daemon;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A one-place mailbox between the camera thread and the processing thread. The camera puts every frame it
 * grabs; the processor takes the newest. A frame replaced before it was taken is closed at once and counted
 * as dropped: a door must judge the person standing there now, never work through a backlog of stale
 * frames, and an unbounded queue of native images would exhaust memory on a slow board.
 *
 * <p>Thread-safe. Ownership: {@link #put} hands the frame to the slot; {@link #take} hands it to the caller,
 * who closes it. After {@link #close()} every frame put is closed immediately and {@link #take} returns null.
 *
 * @param <T> the frame type (a {@code CameraFrame} in the daemon)
 */
public final class LatestFrameSlot<T extends AutoCloseable> implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition filled = lock.newCondition();
    private final Runnable onDrop;
    private final AtomicLong put = new AtomicLong();
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private T pending;
    private boolean closed;

    public LatestFrameSlot() {
        this(() -> { });
    }

    /** @param onDrop called (on the putting thread) for each dropped frame, e.g. a metrics counter */
    public LatestFrameSlot(Runnable onDrop) {
        this.onDrop = onDrop;
    }

    /** Offers the newest frame; an older one still waiting is closed and counted as dropped. */
    public void put(T frame) {
        if (frame == null) {
            throw new NullPointerException("frame");
        }
        put.incrementAndGet();
        T replaced;
        lock.lock();
        try {
            if (closed) {
                replaced = frame; // nobody will take it
            } else {
                replaced = pending;
                pending = frame;
                filled.signal();
            }
        } finally {
            lock.unlock();
        }
        if (replaced != null) { // close outside the lock: freeing native memory must not stall the taker
            dropped.incrementAndGet();
            closeQuietly(replaced);
            onDrop.run();
        }
    }

    /** The newest frame, waiting for one; null once closed. The caller owns (closes) it. */
    public T take() throws InterruptedException {
        lock.lock();
        try {
            while (pending == null && !closed) {
                filled.await();
            }
            return takePending();
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #take()} but gives up after {@code timeout}, returning null (so the caller can check health). */
    public T poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (pending == null && !closed) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = filled.awaitNanos(nanos);
            }
            return takePending();
        } finally {
            lock.unlock();
        }
    }

    private T takePending() {
        T t = pending;
        pending = null;
        if (t != null) {
            taken.incrementAndGet();
        }
        return t;
    }

    /** Frames handed to the slot. */
    public long putCount() {
        return put.get();
    }

    /** Frames handed to the processor. */
    public long takenCount() {
        return taken.get();
    }

    /** Frames closed unprocessed: replaced by a newer one, put after close, or left over at close. */
    public long droppedCount() {
        return dropped.get();
    }

    /** Closes the waiting frame (if any) and wakes a waiting {@link #take()}, which returns null. */
    @Override
    public void close() {
        T left;
        lock.lock();
        try {
            closed = true;
            left = pending;
            pending = null;
            filled.signalAll();
        } finally {
            lock.unlock();
        }
        if (left != null) {
            dropped.incrementAndGet();
            closeQuietly(left);
            onDrop.run();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // a frame that fails to close has nothing left to free; the pipeline goes on
        }
    }
}

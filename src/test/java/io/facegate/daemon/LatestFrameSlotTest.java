package io.facegate.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LatestFrameSlotTest {

    /** A frame that counts how often it is closed. */
    static final class Counted implements AutoCloseable {
        static final AtomicLong OPEN = new AtomicLong();
        final int n;
        final AtomicInteger closes = new AtomicInteger();

        Counted(int n) {
            this.n = n;
            OPEN.incrementAndGet();
        }

        @Override
        public void close() {
            if (closes.incrementAndGet() == 1) {
                OPEN.decrementAndGet();
            }
        }
    }

    @Test
    void newestWinsAndReplacedFramesAreClosedAndCounted() throws Exception {
        AtomicInteger drops = new AtomicInteger();
        try (var slot = new LatestFrameSlot<Counted>(drops::incrementAndGet)) {
            Counted a = new Counted(1);
            Counted b = new Counted(2);
            Counted c = new Counted(3);
            slot.put(a);
            slot.put(b);
            slot.put(c);
            Counted got = slot.take();
            assertSame(c, got, "the newest frame, not the oldest");
            assertEquals(1, a.closes.get());
            assertEquals(1, b.closes.get());
            assertEquals(0, c.closes.get(), "the taken frame belongs to the taker");
            assertEquals(2, slot.droppedCount());
            assertEquals(2, drops.get());
            assertEquals(3, slot.putCount());
            assertEquals(1, slot.takenCount());
            got.close();
            assertNull(slot.poll(Duration.ZERO), "taken frames are not handed out twice");
        }
    }

    @Test
    void closeClosesTheWaitingFrameWakesTakersAndRejectsLaterFrames() throws Exception {
        var slot = new LatestFrameSlot<Counted>();
        CompletableFuture<Counted> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return slot.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Counted first = new Counted(1);
        slot.put(first);
        Counted taken = waiting.get(10, TimeUnit.SECONDS);
        assertSame(first, taken);
        taken.close();

        Counted left = new Counted(2);
        slot.put(left);
        slot.close();
        assertEquals(1, left.closes.get(), "a frame left in the slot at close is freed");
        assertNull(slot.take(), "closed: take returns at once");

        Counted late = new Counted(3);
        slot.put(late);
        assertEquals(1, late.closes.get(), "a frame put after close is freed at once");
        assertEquals(2, slot.droppedCount());
        assertTrue(slot.isClosed());
    }

    @Test
    void pollTimesOutWithNull() throws Exception {
        try (var slot = new LatestFrameSlot<Counted>()) {
            assertNull(slot.poll(Duration.ofMillis(1)));
        }
    }

    @Test
    void concurrentProducerAndSlowConsumerLeakNothing() throws Exception {
        long openBefore = Counted.OPEN.get();
        var slot = new LatestFrameSlot<Counted>();
        int frames = 20_000;
        List<Counted> all = new ArrayList<>(frames);
        for (int i = 0; i < frames; i++) {
            all.add(new Counted(i));
        }
        // The producer can put all 20 000 frames and close the slot before the consumer thread even runs; close
        // then frees the waiting frame and the consumer gets none (this failed on a fresh clone). So the producer
        // waits until the consumer has taken the first frame, and races freely from there.
        CountDownLatch firstTaken = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
            slot.put(all.get(0));
            try {
                firstTaken.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            all.subList(1, frames).forEach(slot::put);
            slot.close();
        });
        AtomicInteger processed = new AtomicInteger();
        int[] lastSeen = {-1};
        boolean[] ordered = {true};
        Thread consumer = new Thread(() -> {
            try {
                Counted f;
                while ((f = slot.take()) != null) {
                    firstTaken.countDown();
                    if (f.n <= lastSeen[0]) {
                        ordered[0] = false; // a stale frame came after a newer one
                    }
                    lastSeen[0] = f.n;
                    processed.incrementAndGet();
                    Thread.onSpinWait();
                    f.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        producer.start();
        producer.join();
        consumer.join();

        assertTrue(ordered[0], "never an older frame after a newer one");
        assertEquals(frames, slot.putCount());
        assertEquals(frames, slot.takenCount() + slot.droppedCount(), "every frame was either processed or dropped");
        assertEquals(processed.get(), slot.takenCount());
        for (Counted c : all) {
            assertEquals(1, c.closes.get(), "frame " + c.n + " closed exactly once");
        }
        assertEquals(openBefore, Counted.OPEN.get(), "nothing leaked");
        assertFalse(slot.takenCount() == 0, "the consumer got frames");
    }
}

package io.facegate.mqtt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Drains the outbox to {@code <prefix>/<device>/events} in sequence order, QoS 1, with a window of unacknowledged
 * messages. An event leaves the outbox only after its PUBACK. After any reconnect it starts again from the oldest
 * unacknowledged event, so the receiver may see a duplicate (same event id) but never a gap or a reordering of
 * first arrivals.
 */
final class OutboxPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);

    private final MqttLink link;
    private final Outbox outbox;
    private final int window;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean restart;

    public OutboxPublisher(MqttLink link, Outbox outbox, int window, Clock clock) {
        this.link = link;
        this.outbox = outbox;
        this.window = window;
        this.clock = clock;
        this.thread = new Thread(this::run, "mqtt-outbox-" + link.config().deviceId());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        int generation = -1;
        long lastSent = 0;
        Semaphore permits = new Semaphore(window);
        while (!closed) {
            try {
                flushAcks();
                if (!link.isConnected()) {
                    outbox.awaitAppend(100);
                    continue;
                }
                if (generation != link.generation() || restart) {
                    generation = link.generation();
                    restart = false;
                    lastSent = 0;
                    permits = new Semaphore(window);
                    outbox.reportDrops(clock.instant());
                }
                List<Outbox.Stored> batch = outbox.peek(lastSent, window);
                if (batch.isEmpty()) {
                    outbox.awaitAppend(100);
                    continue;
                }
                for (Outbox.Stored s : batch) {
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    if (generation != link.generation() || closed) {
                        break;
                    }
                    Semaphore p = permits;
                    link.publish(link.topics().events(), s.payload(), 1, false).whenComplete((v, e) -> {
                        p.release();
                        if (e == null) {
                            acked.add(s.seq());
                            outbox.wake();
                        } else {
                            restart = true;
                        }
                    });
                    lastSent = s.seq();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("outbox publisher: {}", e.toString());
                sleepQuietly();
            }
        }
    }

    private void flushAcks() {
        if (acked.isEmpty()) {
            return;
        }
        List<Long> seqs = new ArrayList<>();
        for (Long s; (s = acked.poll()) != null; ) {
            seqs.add(s);
        }
        outbox.acknowledge(seqs);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops publishing; acknowledgements already received are committed. */
    @Override
    public void close() {
        closed = true;
        outbox.wake();
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushAcks();
    }
}

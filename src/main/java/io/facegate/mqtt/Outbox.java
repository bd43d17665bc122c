package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.config.Yaml;

import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Store and forward for events: an event is committed here before anyone tries to publish it and deleted only
 * once the broker acknowledged it (PUBACK). Bounded: when full, the oldest events are dropped and counted; the
 * count shows in health and, once the link is back, as an {@code events_dropped} event.
 *
 * <p>An event that cannot be committed at all (disk full, the file unwritable) is never lost silently: the append
 * fails, the loss is counted at once in {@link #droppedTotal()} and {@link #lastError()}, and with the next
 * event that can be stored the count is written down, its sequence numbers are skipped (a gap the receiver sees)
 * and an {@code events_lost} event is reported.
 */
final class Outbox {
    private static final ObjectMapper JSON = Yaml.jsonMapper();
    private static final String DROPPED_TOTAL = "dropped_total";
    private static final String DROPPED_UNREPORTED = "dropped_unreported";
    private static final String LOST_UNREPORTED = "lost_unreported";

    private final StateDb db;
    private final String device;
    private final int capacity;
    private final Object signal = new Object();
    /** Events that could not be committed and are not yet counted in the database (only in memory, meanwhile). */
    private final java.util.concurrent.atomic.AtomicLong unstored = new java.util.concurrent.atomic.AtomicLong();
    private volatile String lastError;
    /** Events dropped because the outbox was full and not yet reported by an events_dropped event. */
    private volatile long unreportedDrops;

    /** One stored event: its sequence number, id and the exact payload to publish. */
    public record Stored(long seq, String eventId, byte[] payload) {
    }

    public Outbox(StateDb db, String device, int capacity) {
        this.db = db;
        this.device = device;
        this.capacity = capacity;
        this.unreportedDrops = db.inTransaction(c -> db.meta(DROPPED_UNREPORTED));
    }

    /** Commits the event (durably) and returns it with its id and sequence number. */
    public EventMessage append(EventMessage.Draft d) {
        EventMessage stored;
        synchronized (unstored) { // appends come from the pipeline and the door threads: count each loss once
            long lost = unstored.get();
            try {
                stored = insert(d, lost);
            } catch (RuntimeException e) {
                long total = unstored.incrementAndGet();
                lastError = "event outbox: " + total + " events could not be stored (last: " + d.type() + "): "
                        + e.getMessage();
                throw e;
            }
            unstored.addAndGet(-lost);
            lastError = null;
        }
        synchronized (signal) {
            signal.notifyAll();
        }
        return stored;
    }

    /** One transaction: writes down {@code lost} earlier losses (and skips their seqs), then the event. */
    private EventMessage insert(EventMessage.Draft d, long lost) {
        long[] dropsAfter = {-1};
        EventMessage stored = db.inTransaction(c -> {
            if (lost > 0) {
                db.setMeta(DROPPED_TOTAL, db.meta(DROPPED_TOTAL) + lost);
                db.setMeta(LOST_UNREPORTED, db.meta(LOST_UNREPORTED) + lost);
                skipSequence(c, lost);
            }
            long dropped = 0;
            long depth = count(c);
            if (depth >= capacity) {
                long excess = depth - capacity + 1;
                try (var ps = c.prepareStatement(
                        "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)")) {
                    ps.setLong(1, excess);
                    dropped = ps.executeUpdate();
                }
                db.setMeta(DROPPED_TOTAL, db.meta(DROPPED_TOTAL) + dropped);
                db.setMeta(DROPPED_UNREPORTED, db.meta(DROPPED_UNREPORTED) + dropped);
                dropsAfter[0] = db.meta(DROPPED_UNREPORTED);
            }
            String id = UUID.randomUUID().toString();
            long seq;
            try (var ps = c.prepareStatement("INSERT INTO outbox(event_id, payload) VALUES(?, x'')",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, id);
                ps.executeUpdate();
                try (var keys = ps.getGeneratedKeys()) {
                    keys.next();
                    seq = keys.getLong(1);
                }
            }
            EventMessage m = new EventMessage(id, device, seq, d.time(), d.type(), d.personId(), d.displayName(),
                    d.score(), d.reason(), d.detail(),
                    d.snapshotJpeg() == null ? null : Base64.getEncoder().encodeToString(d.snapshotJpeg()));
            try (var ps = c.prepareStatement("UPDATE outbox SET payload=? WHERE seq=?")) {
                ps.setBytes(1, JSON.writeValueAsBytes(m));
                ps.setLong(2, seq);
                ps.executeUpdate();
            }
            return m;
        });
        if (dropsAfter[0] >= 0) { // committed: now the drops count
            unreportedDrops = dropsAfter[0];
        }
        return stored;
    }

    /** Advances the AUTOINCREMENT counter so that the lost events leave a gap in seq. */
    private static void skipSequence(java.sql.Connection c, long n) throws java.sql.SQLException {
        try (var ps = c.prepareStatement("UPDATE sqlite_sequence SET seq = seq + ? WHERE name = 'outbox'")) {
            ps.setLong(1, n);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (var ps = c.prepareStatement("INSERT INTO sqlite_sequence(name, seq) VALUES('outbox', ?)")) {
            ps.setLong(1, n);
            ps.executeUpdate();
        }
    }

    /**
     * Appends one {@code events_dropped} event for the drops not yet reported, if any. Called by the publisher
     * once connected, so the report itself is sent promptly instead of being dropped in turn.
     */
    public void reportDrops(java.time.Instant now) {
        long[] unreported = db.inTransaction(c -> {
            long[] n = {db.meta(DROPPED_UNREPORTED), db.meta(LOST_UNREPORTED)};
            db.setMeta(DROPPED_UNREPORTED, 0);
            db.setMeta(LOST_UNREPORTED, 0);
            return n;
        });
        unreportedDrops = 0;
        if (unreported[0] > 0) {
            append(new EventMessage.Draft(now, "events_dropped", null, null, null, null,
                    "outbox full: dropped the " + unreported[0] + " oldest events", null));
        }
        if (unreported[1] > 0) {
            append(new EventMessage.Draft(now, "events_lost", null, null, null, null,
                    unreported[1] + " events could not be stored (state database not writable: disk full?);"
                            + " their seq numbers were skipped", null));
        }
    }

    /** The oldest events with a sequence number above {@code afterSeq}, in order. */
    public List<Stored> peek(long afterSeq, int max) {
        return db.inTransaction(c -> {
            List<Stored> out = new ArrayList<>();
            try (var ps = c.prepareStatement(
                    "SELECT seq, event_id, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, max);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Stored(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
                    }
                }
            }
            return out;
        });
    }

    /** The broker acknowledged these events: forget them (one transaction, one fsync). */
    public void acknowledge(java.util.Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("DELETE FROM outbox WHERE seq=?")) {
                for (long seq : seqs) {
                    ps.setLong(1, seq);
                    ps.addBatch();
                }
                return ps.executeBatch().length;
            }
        });
    }

    public long depth() {
        return db.inTransaction(Outbox::count);
    }

    /** Events dropped when full plus events that could not be stored, including those not yet written down. */
    public long droppedTotal() {
        return db.inTransaction(c -> db.meta(DROPPED_TOTAL)) + unstored.get();
    }

    /**
     * What health should say about the outbox: why events are not being stored, else the drops of a full outbox
     * not yet reported; null when neither.
     */
    public String lastError() {
        String storing = lastError;
        if (storing != null) {
            return storing;
        }
        long drops = unreportedDrops;
        return drops > 0 ? "event outbox full (" + capacity + " events): dropped the " + drops
                + " oldest events, not yet reported" : null;
    }

    /** Blocks up to {@code millis} or until an event is appended. */
    void awaitAppend(long millis) throws InterruptedException {
        synchronized (signal) {
            signal.wait(millis);
        }
    }

    void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private static long count(java.sql.Connection c) throws java.sql.SQLException {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.access.Decision;
import io.facegate.access.DenialReason;
import io.facegate.config.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox on a real SQLite file: ordering, durability across reopen, the bound and the drop report. */
class OutboxTest {
    @TempDir
    Path dir;

    @Test
    void eventsSurviveReopenInOrderAndLeaveOnlyWhenAcknowledged() throws Exception {
        Path file = dir.resolve("state.db");
        String firstId;
        try (StateDb db = StateDb.open(file)) {
            Outbox box = new Outbox(db, "door-1", 100);
            EventMessage a = box.append(EventMessage.Draft.of(Decision.grant("p1", "Ada", 0.71, 0.9, 3,
                    Instant.parse("2025-01-01T10:00:00Z"))));
            EventMessage b = box.append(EventMessage.Draft.of(Decision.deny(DenialReason.SPOOF_SUSPECTED, null,
                    null, 0.2, 0.1, 4, Instant.parse("2025-01-01T10:00:01Z"))));
            assertTrue(b.seq() > a.seq());
            assertNotEquals(a.eventId(), b.eventId());
            firstId = a.eventId();
            box.acknowledge(List.of(a.seq()));
        }
        try (StateDb db = StateDb.open(file)) {
            Outbox box = new Outbox(db, "door-1", 100);
            List<Outbox.Stored> left = box.peek(0, 10);
            assertEquals(1, left.size());
            assertNotEquals(firstId, left.get(0).eventId());
            JsonNode json = Yaml.jsonMapper().readTree(left.get(0).payload());
            assertEquals("access_denied", json.get("type").asText());
            assertEquals("SPOOF_SUSPECTED", json.get("reason").asText());
            assertEquals("2025-01-01T10:00:01Z", json.get("time").asText());
            assertEquals("door-1", json.get("device").asText());
            assertFalse(json.has("person_id"), "unknown person is left out, not null");
            // sequence numbers keep rising after a restart, even with the outbox emptied
            box.acknowledge(List.of(left.get(0).seq()));
            EventMessage c = box.append(EventMessage.Draft.of("door_opened", Instant.now(), null, null, "x"));
            assertTrue(c.seq() > left.get(0).seq());
        }
    }

    @Test
    void fullOutboxDropsTheOldestAndReportsHowMany() {
        try (StateDb db = StateDb.open(dir.resolve("bounded.db"))) {
            Outbox box = new Outbox(db, "door-1", 10);
            for (int i = 0; i < 25; i++) {
                box.append(EventMessage.Draft.of("door_opened", Instant.now(), null, null, "n" + i));
            }
            assertEquals(10, box.depth());
            assertEquals(15, box.droppedTotal());
            assertTrue(box.lastError() != null && box.lastError().contains("dropped"),
                    "drops show in health until reported: " + box.lastError());
            List<Outbox.Stored> kept = box.peek(0, 100);
            assertTrue(new String(kept.get(0).payload()).contains("\"n15\""), "the oldest were dropped");
            box.reportDrops(Instant.now());
            List<Outbox.Stored> after = box.peek(0, 100);
            String last = new String(after.get(after.size() - 1).payload());
            assertTrue(last.contains("events_dropped") && last.contains("15 oldest"), last);
            // the report itself displaced one more event: counted, reported next time, never lost silently
            assertEquals(16, box.droppedTotal());
            box.reportDrops(Instant.now());
            List<Outbox.Stored> again = box.peek(0, 100);
            assertTrue(new String(again.get(again.size() - 1).payload()).contains("1 oldest"));
            assertEquals(10, box.depth());
            // that report displaced one more event in turn: health keeps saying so until it is reported
            assertTrue(box.lastError().contains("dropped the 1 oldest"), box.lastError());
        }
    }
    /**
     * A full disk (here: SQLite's page limit, which fails writes with SQLITE_FULL exactly as a full file system
     * does): an event that cannot be committed is never lost silently. The append fails saying so, the loss is
     * counted in dropped_total at once, the outbox reports the error, and once space is back the lost events show
     * as a gap in seq and an events_lost event.
     */
    @Test
    void eventsThatCannotBeStoredAreCountedAndLeaveAGapInSeq() throws Exception {
        try (StateDb db = StateDb.open(dir.resolve("full.db"))) {
            Outbox box = new Outbox(db, "door-1", 100_000);
            EventMessage last = box.append(EventMessage.Draft.of("door_opened", Instant.now(), null, null, "first"));
            long pages;
            try (var s = db.connection().createStatement(); var rs = s.executeQuery("PRAGMA page_count")) {
                rs.next();
                pages = rs.getLong(1);
            }
            try (var s = db.connection().createStatement()) {
                s.execute("PRAGMA max_page_count=" + pages); // the disk is full from here on
            }
            List<Long> seqs = new java.util.ArrayList<>(List.of(last.seq()));
            int failed = 0;
            String detail = "x".repeat(2_000);
            for (int i = 0; i < 40; i++) {
                try {
                    seqs.add(box.append(EventMessage.Draft.of("access_granted", Instant.now(), "p" + i, null, detail))
                            .seq());
                } catch (StateDb.MqttStateException e) {
                    failed++;
                    assertTrue(e.getMessage().contains("full"), e.getMessage());
                }
            }
            assertTrue(failed > 0, "the page limit must make appends fail");
            assertEquals(failed, box.droppedTotal(), "every event that could not be stored is counted at once");
            assertTrue(box.lastError() != null && box.lastError().contains("could not be stored"), box.lastError());

            try (var s = db.connection().createStatement()) {
                s.execute("PRAGMA max_page_count=1073741823"); // space is back
            }
            seqs.add(box.append(EventMessage.Draft.of("door_closed", Instant.now(), null, null, "after")).seq());
            long gaps = 0;
            for (int i = 1; i < seqs.size(); i++) {
                gaps += seqs.get(i) - seqs.get(i - 1) - 1;
            }
            assertEquals(failed, gaps, "each lost event leaves its own gap in seq");
            assertEquals(null, box.lastError(), "writing works again");
            assertEquals(failed, box.droppedTotal(), "the count survives in the database");
            box.reportDrops(Instant.now());
            List<Outbox.Stored> all = box.peek(0, 1_000);
            String report = new String(all.get(all.size() - 1).payload());
            assertTrue(report.contains("events_lost") && report.contains(failed + " events could not be stored"),
                    report);
        }
    }
}

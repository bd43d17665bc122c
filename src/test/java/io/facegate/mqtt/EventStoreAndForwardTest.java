package io.facegate.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.facegate.config.MqttConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault test: the broker is stopped and restarted while 1,000 events are produced. Every event id arrives, first
 * arrivals are in sequence order, and the outbox ends empty.
 */
class EventStoreAndForwardTest {
    @TempDir
    Path dir;

    static MqttConfig deviceConfig(String uri, String device, Path state) {
        return new MqttConfig(true, uri, device, "facegate", null, null, null, null, null, 5, 100L, 400L,
                state.toString(), 100_000, List.of(), null, null, null, null, null);
    }

    static List<String> missing(List<String> produced, Subscriber rx) {
        Set<String> got = new HashSet<>();
        rx.firstArrivals().forEach(n -> got.add(n.get("event_id").asText()));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < produced.size(); i++) {
            if (!got.contains(produced.get(i))) {
                out.add("#" + i);
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("io.facegate.mqtt.TestBroker#kinds")
    void everyEventArrivesAcrossABrokerRestart(TestBroker.Kind kind) throws Exception {
        try (TestBroker broker = TestBroker.start(kind, dir.resolve("broker"));
             StateDb db = StateDb.open(dir.resolve("door.db"));
             Subscriber rx = new Subscriber(broker.uri(), "rx-" + kind, "facegate/door-1/events")) {
            MqttConfig cfg = deviceConfig(broker.uri(), "door-1", dir.resolve("door.db"));
            Outbox outbox = new Outbox(db, "door-1", cfg.outboxMaxEvents());
            List<String> produced = new ArrayList<>();
            try (MqttLink link = new MqttLink(cfg);
                 OutboxPublisher pub = new OutboxPublisher(link, outbox, 64, Clock.systemUTC())) {
                link.start();
                pub.start();
                for (int i = 0; i < 1000; i++) {
                    produced.add(outbox.append(EventMessage.Draft.of("door_opened", Instant.now(), "p" + i, null,
                            "event " + i)).eventId());
                    if (i == 300) {
                        // The door's promise ends at the broker's PUBACK. A broker may hold acknowledged QoS 1
                        // messages for a subscriber in memory and lose them when it stops (2 of 1000 went missing
                        // in a full run): the broker may withhold, and that is not the door's loss to count. So
                        // the broker stops once what it acknowledged has reached the subscriber; everything
                        // produced from here on waits in the door's outbox through the outage.
                        assertTrue(awaitEmpty(outbox), kind + ": the outbox did not drain before the restart");
                        assertTrue(rx.awaitDistinct(i + 1, 60_000), kind + ": acknowledged events not delivered");
                        broker.stop();
                    }
                    if (i == 700) {
                        broker.start();
                    }
                    Thread.sleep(1); // pacing, not waiting: events keep coming while the broker is down and back
                }
                assertTrue(rx.awaitDistinct(1000, 60_000), () -> kind + ": only " + rx.firstArrivals().size()
                        + " of 1000 events arrived; outbox depth " + outbox.depth() + "; missing " + missing(produced, rx));
                awaitEmpty(outbox); // the last PUBACKs may still be on their way; asserted below
            }
            List<JsonNode> first = rx.firstArrivals();
            Set<String> ids = new HashSet<>();
            long lastSeq = 0;
            for (JsonNode n : first) {
                ids.add(n.get("event_id").asText());
                long seq = n.get("seq").asLong();
                assertTrue(seq > lastSeq, "first arrivals in order: " + seq + " after " + lastSeq);
                lastSeq = seq;
            }
            assertEquals(new HashSet<>(produced), ids);
            assertEquals(0, outbox.depth(), "every acknowledged event left the outbox");
        }
    }

    /** Polls the outbox depth (a condition, with a deadline) until every event was acknowledged. */
    private static boolean awaitEmpty(Outbox outbox) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (outbox.depth() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return true;
    }
}

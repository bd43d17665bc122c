package io.facegate.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facegate.config.Yaml;
import io.facegate.daemon.PipelineMetrics.Stage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {
    private static final long MS = 1_000_000L;

    @Test
    void percentilesAreOverTheLastWindowOfSamples() {
        var m = new PipelineMetrics(10);
        for (int i = 1; i <= 100; i++) {
            m.record(Stage.DETECT, i * MS); // 1..100 ms; the window keeps 91..100
        }
        var s = m.snapshot().stages().get("detect");
        assertEquals(100, s.count());
        assertEquals(95.0, s.p50Ms());
        assertEquals(99.0, s.p90Ms());
        assertEquals(100.0, s.maxMs());
        assertFalse(m.snapshot().stages().containsKey("embed"), "stages without samples are left out");
    }

    @Test
    void partlyFilledWindowAndNearestRank() {
        var m = new PipelineMetrics(256);
        for (long v : List.of(5L, 1L, 3L)) {
            m.record(Stage.EMBED, v * MS);
        }
        var s = m.snapshot().stages().get("embed");
        assertEquals(3.0, s.p50Ms());
        assertEquals(5.0, s.p90Ms());
        assertEquals(1, PipelineMetrics.percentile(new long[] {1}, 0.9));
    }

    @Test
    void stageTimerRecordsElapsedOnTheGivenClockOnce() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        var m = new PipelineMetrics(16, now::get);
        StageTimer t = m.time(Stage.MATCH);
        now.addAndGet(7 * MS);
        t.close();
        t.close();
        var s = m.snapshot().stages().get("match");
        assertEquals(1, s.count());
        assertEquals(7.0, s.p50Ms());
    }

    @Test
    void fpsOverRecentFramesAndZeroWhenStalled() {
        AtomicLong now = new AtomicLong(0);
        var m = new PipelineMetrics(64, now::get);
        assertEquals(0.0, m.snapshot().fps());
        for (int i = 0; i < 21; i++) { // 21 frames, 50 ms apart: 20 fps
            m.frameProcessed();
            now.addAndGet(50 * MS);
        }
        var s = m.snapshot();
        assertEquals(20.0, s.fps(), 1e-9);
        assertEquals(21, s.framesProcessed());
        now.addAndGet(10_000 * MS); // nothing for 10 s
        assertEquals(0.0, m.snapshot().fps(), "a stalled pipeline reports 0, not its old rate");
    }

    @Test
    void droppedFramesFromTheSlotAreCounted() {
        var m = new PipelineMetrics(16);
        try (var slot = new LatestFrameSlot<AutoCloseable>(m::frameDropped)) {
            slot.put(() -> { });
            slot.put(() -> { });
            slot.put(() -> { });
        }
        assertEquals(3, m.snapshot().framesDropped(), "two replaced, one left at close");
    }

    @Test
    void snapshotSerialisesForTheHealthMessage() throws Exception {
        var m = new PipelineMetrics(16);
        m.record(Stage.CAPTURE, 2 * MS);
        m.record(Stage.DECIDE, MS / 2);
        String json = Yaml.jsonMapper().writeValueAsString(m.snapshot());
        assertTrue(json.contains("\"capture\":{\"count\":1,\"p50_ms\":2.0,\"p90_ms\":2.0,\"max_ms\":2.0}"), json);
        assertTrue(json.contains("\"frames_dropped\":0"), json);
        assertTrue(json.indexOf("capture") < json.indexOf("decide"), "pipeline order: " + json);
    }

    @Test
    void concurrentRecordingLosesNoCount() throws Exception {
        var m = new PipelineMetrics(128);
        Thread[] ts = new Thread[4];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new Thread(() -> {
                for (int k = 0; k < 10_000; k++) {
                    m.record(Stage.LANDMARKS, k);
                    m.frameProcessed();
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        var s = m.snapshot();
        assertEquals(40_000, s.stages().get("landmarks").count());
        assertEquals(40_000, s.framesProcessed());
    }
}

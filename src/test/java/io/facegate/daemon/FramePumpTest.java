package io.facegate.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facegate.camera.CameraFrame;
import io.facegate.camera.CameraListener;
import io.facegate.camera.FrameSources;
import io.facegate.camera.ImageFolderFrameSource;
import io.facegate.config.CameraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FramePumpTest {

    private static Path faces() {
        String env = System.getenv("FACEGATE_FACES");
        Path p = env != null ? Path.of(env) : Path.of("").toAbsolutePath().resolve("../../shared/faces").normalize();
        if (env == null && !Files.isDirectory(p)) {
            p = Path.of("").toAbsolutePath().resolve("../shared/faces").normalize();
        }
        assumeTrue(Files.isDirectory(p.resolve("bbt")), "face photos not found: set FACEGATE_FACES");
        return p.resolve("bbt");
    }

    @Test
    void slowProcessorGetsNewestFramesAndEveryFrameIsClosed() throws Exception {
        long liveBefore = CameraFrame.liveCount();
        var metrics = new PipelineMetrics(64);
        var slot = new LatestFrameSlot<CameraFrame>(metrics::frameDropped);
        // all the photos as fast as they decode: the camera outruns this processor
        var source = new ImageFolderFrameSource(faces(), 0, false, false);
        int processed = 0;
        long lastSeq = -1;
        try (var pump = new FramePump(source, slot, metrics).start()) {
            CameraFrame f;
            while ((f = pump.takeLatest(Duration.ofSeconds(30))) != null) {
                try (CameraFrame frame = f) {
                    assertTrue(frame.sequence() > lastSeq, "never an older frame");
                    lastSeq = frame.sequence();
                    assertEquals(3, frame.mat().channels());
                    // the sleep IS the thing under test: a processor slower than the camera, so that frames
                    // are replaced in the slot while it works
                    Thread.sleep(20);
                    processed++;
                    metrics.frameProcessed();
                }
            }
            assertFalse(pump.isRunning(), "a plain folder source ends the pump");
            assertTrue(pump.endReason().startsWith("end of stream"), pump.endReason());
            assertEquals(pump.grabbedCount(), slot.putCount());
        }
        assertEquals(slot.putCount(), slot.takenCount() + slot.droppedCount(), "processed or dropped, nothing lost");
        assertEquals(processed, slot.takenCount());
        var snap = metrics.snapshot();
        assertEquals(slot.droppedCount(), snap.framesDropped());
        assertNotNull(snap.stages().get("capture"));
        assertNotNull(snap.stages().get("queue"));
        assertEquals(liveBefore, CameraFrame.liveCount(), "no native image leaked");
    }

    @Test
    void closingStopsAResilientPumpWaitingForALostCamera() throws Exception {
        long liveBefore = CameraFrame.liveCount();
        var config = CameraConfig.folder("/nonexistent/facegate-camera", 5, false, false)
                .withReconnect(600_000, 600_000, 1.0);
        var slot = new LatestFrameSlot<CameraFrame>();
        var pump = new FramePump(FrameSources.resilient(config, CameraListener.NONE), slot, null).start();
        assertNull(pump.takeLatest(Duration.ofMillis(50)), "no camera, no frame, and no exception either");
        assertTrue(pump.isRunning(), "a lost camera does not stop the pump");
        pump.close();
        assertFalse(pump.isRunning(), "close ended the ten-minute backoff wait");
        assertNull(slot.take());
        assertEquals(liveBefore, CameraFrame.liveCount());
    }
}

package io.facegate.daemon;

import io.facegate.TestData;
import io.facegate.camera.CameraException;
import io.facegate.camera.CameraFrame;
import io.facegate.camera.FrameSource;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.mqtt.DeviceHealth;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health that degrades honestly (finding 9): a pipeline on which every frame fails, and a camera that is gone,
 * show in health with their error, stop the watchdog pings, and end the run with a failure (so that {@code run}
 * exits non-zero and systemd restarts it) after {@code pipeline.give_up_after_ms}; the door stays locked.
 * The real daemon (models, gallery, Pi4J mock relay); only the camera is a stand-in.
 */
class DaemonHealthTest {
    @TempDir
    Path tmp;

    /** Loads OpenCV's native libraries before the clock of give_up_after_ms runs (seconds on first use). */
    @org.junit.jupiter.api.BeforeAll
    static void loadOpenCv() {
        new Mat(2, 2, opencv_core.CV_8UC3).close();
    }

    private FacegateConfig config(String camera) {
        return ConfigLoader.parse(String.join("\n",
                "vision: {models_dir: '" + TestData.models() + "'}",
                "gallery: {data_dir: '" + tmp + "'}",
                "door: {provider: mock}",
                "pipeline: {give_up_after_ms: 4000}",
                camera,
                "mqtt: {enabled: false, state_path: '" + tmp.resolve("mqtt.db") + "'}", ""));
    }

    /** A camera whose every frame is one the pipeline cannot process (two channels instead of BGR). */
    private static final class UnprocessableFrames extends BlankFrames {
        UnprocessableFrames() {
            super(opencv_core.CV_8UC2);
        }
    }

    /** A camera of blank frames of one OpenCV type (CV_8UC3: an empty hallway). */
    private static class BlankFrames implements FrameSource {
        private final int type;
        private long sequence;

        BlankFrames(int type) {
            this.type = type;
        }

        @Override
        public void open() {
        }

        @Override
        public CameraFrame grab() {
            // a camera delivers at its frame rate; without this pause the fake would spin a core
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            return new CameraFrame(new Mat(240, 320, type, new org.bytedeco.opencv.opencv_core.Scalar(0.0)),
                    Instant.now(), System.nanoTime(), sequence++);
        }

        @Override
        public void close() {
        }

        @Override
        public String describe() {
            return "blank test camera";
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(10); // polling a condition with a deadline
        }
    }

    @Test
    void everyFrameFailingShowsInHealthStopsTheWatchdogAndEndsTheRunAsAFailure() throws Exception {
        Facegate daemon = Facegate.start(config(""),
                new Facegate.Options(new UnprocessableFrames(), null, Clock.systemUTC()));
        try {
            await(() -> daemon.health().state().equals(DeviceHealth.PIPELINE_ERROR)
                    || daemon.failure() != null, "the failing frames show in health");
            assertNotNull(daemon.health().lastError(), "health names the error");
            assertFalse(daemon.watchdogHealthy(), "no watchdog ping while no frame goes through");
            Thread waiter = new Thread(() -> {
                try {
                    daemon.awaitPipeline();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiter.start();
            waiter.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(waiter.isAlive(), "the pipeline gives up instead of spinning on errors forever");
            assertNotNull(daemon.failure());
            assertTrue(daemon.failure().contains("frames failed"), daemon.failure());
            assertEquals(DeviceHealth.FAILED, daemon.health().state());
            assertEquals(daemon.failure(), daemon.health().lastError());
            assertFalse(daemon.door().state().unlocked());
        } finally {
            daemon.close();
        }
    }

    @Test
    void aCameraThatIsGoneShowsAsLostAndEndsTheRunAsAFailure() throws Exception {
        // nothing listens on port 9: every (re)connection is refused at once, like an unplugged camera
        Facegate daemon = Facegate.start(config(
                "camera: {type: stream, url: 'rtsp://127.0.0.1:9/none', open_timeout_ms: 1000, read_timeout_ms: 1000,"
                        + " reconnect_initial_ms: 100, reconnect_max_ms: 200}"), Facegate.Options.defaults());
        try {
            await(() -> daemon.health().state().equals(DeviceHealth.CAMERA_LOST) || daemon.failure() != null,
                    "the lost camera shows in health");
            if (daemon.failure() == null) {
                assertTrue(daemon.health().lastError().startsWith("camera lost: "), daemon.health().lastError());
                assertFalse(daemon.watchdogHealthy(), "no watchdog ping while no frame comes");
            }
            await(() -> daemon.failure() != null, "the run gives up");
            assertTrue(daemon.failure().contains("the camera delivers no frames"), daemon.failure());
            assertEquals(DeviceHealth.FAILED, daemon.health().state());
            assertFalse(daemon.door().state().unlocked());
        } finally {
            daemon.close();
        }
    }
    /**
     * Events the outbox had to drop (full, the broker unreachable) show in health as outbox_error with the count,
     * while frames go through.
     */
    @Test
    void droppedEventsShowInHealth() throws Exception {
        FacegateConfig cfg = ConfigLoader.parse(String.join("\n",
                "vision: {models_dir: '" + TestData.models() + "'}",
                "gallery: {data_dir: '" + tmp + "'}",
                "door: {provider: mock}",
                // nothing listens on port 9: the events stay in an outbox of two
                "mqtt: {broker_uri: 'tcp://127.0.0.1:9', outbox_max_events: 2, state_path: '"
                        + tmp.resolve("mqtt.db") + "'}", ""));
        Facegate daemon = Facegate.start(cfg,
                new Facegate.Options(new BlankFrames(opencv_core.CV_8UC3), null, Clock.systemUTC()));
        try {
            await(() -> daemon.metrics().snapshot().framesProcessed() > 0, "blank frames go through");
            for (int i = 0; i < 5; i++) {
                daemon.mqtt().publish(io.facegate.mqtt.EventMessage.Draft.of("door_opened", Instant.now(), null, null,
                        "test " + i));
            }
            DeviceHealth h = daemon.health();
            assertEquals(DeviceHealth.OUTBOX_ERROR, h.state(), h.toString());
            assertTrue(h.lastError().contains("dropped"), h.lastError());
            assertTrue(daemon.mqtt().eventsDropped() >= 4);
        } finally {
            daemon.close();
        }
    }
}

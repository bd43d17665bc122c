package io.facegate.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facegate.config.CameraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResilientFrameSourceTest {

    @TempDir
    Path tmp;

    /** Records what the camera reported, in order. */
    static final class Events implements CameraListener {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onCameraLost(String reason) {
            seen.add("lost: " + reason);
        }

        @Override
        public void onCameraRestored() {
            seen.add("restored");
        }
    }

    @Test
    void emptiedFolderIsLostOnceRetriedWithCappedBackoffAndRestored() throws Exception {
        List<Path> photos = TestFaces.photos("bbt/amy").subList(0, 3);
        Path folder = ImageFolderFrameSourceTest.copyAs(photos, tmp.resolve("cam"));
        Path aside = Files.createDirectories(tmp.resolve("aside"));
        Events events = new Events();
        List<Duration> sleeps = new ArrayList<>();
        // The fake sleeper is where time passes: after the 6th wait the camera "comes back".
        Sleeper sleeper = d -> {
            sleeps.add(d);
            if (sleeps.size() == 6) {
                unchecked(() -> moveAll(aside, folder));
            }
        };
        CameraConfig config = CameraConfig.folder(folder.toString(), 10, false, false).withReconnect(100, 800, 2.0);
        long liveBefore = CameraFrame.liveCount();
        try (ResilientFrameSource source = FrameSources.resilient(config, events, sleeper)) {
            source.open();
            for (int i = 0; i < 3; i++) {
                try (CameraFrame f = source.grab()) {
                    assertEquals(i, f.sequence());
                }
            }
            assertTrue(source.isConnected());
            moveAll(folder, aside); // unplugged: the folder is emptied

            try (CameraFrame f = source.grab()) { // blocks through the outage, returns once the photos are back
                assertNotNull(f);
                assertEquals(3, f.sequence(), "numbering continues across the reopening");
                assertEquals(3, f.mat().channels());
            }
            assertEquals(List.of(100L, 200L, 400L, 800L, 800L, 800L),
                    sleeps.stream().map(Duration::toMillis).toList(), "exponential, capped at reconnect_max_ms");
            assertEquals(2, events.seen.size(), "one loss and one restore, not one event per attempt: " + events.seen);
            assertTrue(events.seen.get(0).startsWith("lost: end of stream"), events.seen.get(0));
            assertEquals("restored", events.seen.get(1));
            assertEquals(1, source.reconnects());
            assertEquals(6, source.failures());
            assertTrue(source.lastFailure().contains("no images"), source.lastFailure());

            // a new outage starts again from the initial wait
            sleeps.clear();
            try (CameraFrame f = source.grab()) {
                assertEquals(4, f.sequence());
            }
            try (CameraFrame f = source.grab()) {
                assertEquals(5, f.sequence());
            }
            try (CameraFrame f = source.grab()) { // the 3 photos ended: lost, reopened after 100 ms
                assertEquals(6, f.sequence());
            }
            assertEquals(List.of(100L), sleeps.stream().map(Duration::toMillis).toList());
            assertEquals(4, events.seen.size(), events.seen.toString());
        }
        assertEquals(liveBefore, CameraFrame.liveCount(), "no frame leaked across reopenings");
    }

    @Test
    void deletedVideoFileIsReopenedWhenItReturns() throws Exception {
        List<Mat> images = TestVideos.resized(TestFaces.photos("bbt/sheldon"));
        Path video;
        try {
            video = TestVideos.mjpegAvi(images, tmp.resolve("cam.avi"), 10);
        } finally {
            images.forEach(Mat::close);
        }
        Path backup = Files.copy(video, tmp.resolve("backup.avi"));
        Files.delete(video); // the camera is missing at start-up: the daemon must still start
        Events events = new Events();
        List<Duration> sleeps = new ArrayList<>();
        Sleeper sleeper = d -> {
            sleeps.add(d);
            if (sleeps.size() == 3) {
                unchecked(() -> Files.copy(backup, video));
            }
        };
        CameraConfig config = CameraConfig.file(video.toString(), false, false).withReconnect(50, 1000, 3.0);
        try (ResilientFrameSource source = FrameSources.resilient(config, events, sleeper)) {
            source.open();
            assertFalse(source.isConnected());
            try (CameraFrame f = source.grab()) {
                assertEquals(0, f.sequence());
                assertEquals(TestVideos.WIDTH, f.width());
            }
            assertEquals(List.of(50L, 150L, 450L), sleeps.stream().map(Duration::toMillis).toList());
            assertEquals(2, events.seen.size(), events.seen.toString());
            assertTrue(events.seen.get(0).contains("cam.avi"), events.seen.get(0));
            assertEquals("restored", events.seen.get(1));
        }
    }

    @Test
    void closeFromAnotherThreadEndsABackoffWait() throws Exception {
        Events events = new Events();
        CameraConfig config = CameraConfig.folder(tmp.resolve("never").toString(), 5, false, false)
                .withReconnect(600_000, 600_000, 1.0); // a real ten-minute wait
        ResilientFrameSource source = FrameSources.resilient(config, events);
        CompletableFuture<CameraFrame> grab = CompletableFuture.supplyAsync(source::grab);
        while (events.seen.isEmpty()) {
            Thread.onSpinWait();
        }
        source.close();
        assertNull(grab.get(30, TimeUnit.SECONDS), "a closed source returns null instead of waiting ten minutes");
        assertNull(source.grab(), "and keeps returning null");
    }

    /** A camera whose read blocks until released, like a stalled USB camera. */
    static final class StalledSource implements FrameSource {
        final java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger closes = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void open() {
        }

        @Override
        public CameraFrame grab() throws CameraException {
            reading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new CameraException("interrupted", e);
            }
            return new CameraFrame(new Mat(2, 2, org.bytedeco.opencv.global.opencv_core.CV_8UC3), java.time.Instant.now(),
                    System.nanoTime(), 0);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }

        @Override
        public String describe() {
            return "stalled camera";
        }
    }

    @Test
    void closeDuringABlockedReadLeavesReleaseToTheGrabbingThreadAndLeaksNothing() throws Exception {
        long liveBefore = CameraFrame.liveCount();
        StalledSource stalled = new StalledSource();
        var source = new ResilientFrameSource("stalled camera", () -> stalled, CameraListener.NONE,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0), d -> { });
        CompletableFuture<CameraFrame> grab = CompletableFuture.supplyAsync(source::grab);
        assertTrue(stalled.reading.await(30, TimeUnit.SECONDS));
        source.close(); // gives up waiting for the read after 5 s
        assertEquals(0, stalled.closes.get(), "not closed under a running read (native grabbers would crash)");
        stalled.release.countDown();
        assertNull(grab.get(30, TimeUnit.SECONDS), "the frame read after close is not handed out");
        assertEquals(1, stalled.closes.get(), "released by the grabbing thread");
        assertEquals(liveBefore, CameraFrame.liveCount(), "and its frame freed");
    }

    @Test
    void throwingListenerDoesNotStopTheCamera() throws Exception {
        List<Path> photos = TestFaces.photos("bbt/amy").subList(0, 1);
        Path folder = ImageFolderFrameSourceTest.copyAs(photos, tmp.resolve("cam"));
        CameraListener broken = new CameraListener() {
            @Override
            public void onCameraLost(String reason) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onCameraRestored() {
                throw new IllegalStateException("listener bug");
            }
        };
        CameraConfig config = CameraConfig.folder(folder.toString(), 5, false, false).withReconnect(1, 1, 1.0);
        try (ResilientFrameSource source = FrameSources.resilient(config, broken, d -> { })) {
            for (int i = 0; i < 3; i++) {
                try (CameraFrame f = source.grab()) {
                    assertEquals(i, f.sequence());
                }
            }
            assertEquals(2, source.reconnects());
        }
    }

    interface IoAction {
        Object run() throws Exception;
    }

    private static void unchecked(IoAction action) {
        try {
            action.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object moveAll(Path from, Path to) throws Exception {
        try (var s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.move(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return null;
    }
}

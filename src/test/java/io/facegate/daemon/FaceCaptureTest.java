package io.facegate.daemon;

import io.facegate.door.ManualTime;
import io.facegate.mqtt.CommandResult;
import io.facegate.vision.BoundingBox;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Face crops for liveness calibration: only while asked, only crops, only under the configured folder. */
class FaceCaptureTest {
    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime(Instant.parse("2026-01-05T10:00:00Z"));
    private final Mat frame = new Mat(480, 640, CV_8UC3, new Scalar(90, 120, 150, 0));
    private static final BoundingBox FACE = new BoundingBox(280, 200, 360, 290);

    @AfterEach
    void close() {
        frame.close();
    }

    private static List<Path> files(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    @Test
    void savesContextCropsOnlyWhileTheCaptureRuns() throws Exception {
        FaceCapture c = new FaceCapture(dir.resolve("captures"), time);
        c.offer(frame, FACE);
        assertFalse(Files.exists(dir.resolve("captures")), "nothing is stored before a capture is asked for");

        CommandResult r = c.start("site-2026", Duration.ofSeconds(10), "admin:test");
        assertTrue(r.ok(), r.toString());
        Path folder = dir.resolve("captures/site-2026");
        c.offer(frame, FACE);
        time.advanceMillis(5_000);
        c.offer(frame, FACE);
        List<Path> crops = files(folder);
        assertEquals(2, crops.size(), crops.toString());
        try (Mat crop = imread(crops.get(0).toString())) {
            // the liveness model's context: 2.7 x the 80 x 90 box, shifted inside the frame
            assertEquals(216, crop.cols());
            assertEquals(243, crop.rows());
        }
        time.advanceMillis(5_000);
        c.offer(frame, FACE);
        assertFalse(c.active(), "the capture ends after its seconds");
        assertEquals(2, files(folder).size(), "nothing after the end");
    }

    @Test
    void refusesWithoutAConfiguredFolderAndNamesThatAreNotPlain() throws Exception {
        CommandResult off = FaceCapture.disabled().start("x", Duration.ofSeconds(5), "admin:test");
        assertEquals("capture_disabled", off.code());

        FaceCapture c = new FaceCapture(dir.resolve("captures"), time);
        for (String bad : new String[] {"../escape", "a/b", ".hidden", "", "x".repeat(65), "..", null}) {
            CommandResult r = c.start(bad, Duration.ofSeconds(5), "admin:test");
            assertEquals("bad_request", r.code(), String.valueOf(bad));
        }
        assertEquals("bad_request", c.start("ok", Duration.ofSeconds(601), "admin:test").code());
        assertFalse(Files.exists(dir.resolve("captures")));
        assertFalse(Files.exists(dir.resolve("escape")));

        assertTrue(c.start("one", Duration.ofSeconds(5), "admin:test").ok());
        assertEquals("busy", c.start("two", Duration.ofSeconds(5), "admin:test").code());
    }

    @Test
    void deleteStopsTheCaptureAndRemovesOnlyItsCrops() throws Exception {
        FaceCapture c = new FaceCapture(dir.resolve("captures"), time);
        assertTrue(c.start("a", Duration.ofSeconds(60), "admin:test").ok());
        c.offer(frame, FACE);
        c.offer(frame, FACE);
        Path folder = dir.resolve("captures/a");
        assertEquals(2, files(folder).size());

        CommandResult r = c.delete("a", "admin:test");
        assertTrue(r.ok(), r.toString());
        assertEquals(2, r.data().get("deleted"));
        assertFalse(Files.exists(folder));
        assertFalse(c.active());
        c.offer(frame, FACE);
        assertFalse(Files.exists(folder), "a deleted capture saves nothing more");

        assertTrue(c.start("b", Duration.ofSeconds(60), "admin:test").ok());
        c.offer(frame, FACE);
        Files.writeString(dir.resolve("captures/b/notes.txt"), "the installer's own file");
        CommandResult kept = c.delete("b", "admin:test");
        assertTrue(kept.ok(), kept.toString());
        assertEquals(List.of(dir.resolve("captures/b/notes.txt")), files(dir.resolve("captures/b")));

        assertTrue(c.delete("never-made", "admin:test").ok(), "deleting an absent capture is ok");
    }
}

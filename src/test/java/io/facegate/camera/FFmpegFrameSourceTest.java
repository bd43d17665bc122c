package io.facegate.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FFmpegFrameSourceTest {

    @TempDir
    Path tmp;

    private List<Mat> images;
    private Path video;

    @BeforeEach
    void makeVideo() throws Exception {
        List<Path> photos = new ArrayList<>(TestFaces.photos("bbt/amy"));
        photos.addAll(TestFaces.photos("bbt/sheldon"));
        images = TestVideos.resized(photos);
        video = TestVideos.mjpegAvi(images, tmp.resolve("door.avi"), 10);
    }

    @AfterEach
    void free() {
        images.forEach(Mat::close);
    }

    @Test
    void decodesEveryFrameOfARealVideoAsOwnedBgrCopies() throws Exception {
        long liveBefore = CameraFrame.liveCount();
        List<CameraFrame> kept = new ArrayList<>();
        try (var source = FFmpegFrameSource.file(video, false, false)) {
            source.open();
            CameraFrame f;
            while ((f = source.grab()) != null) {
                kept.add(f); // keep them all: each must survive the grabber reusing its buffer
            }
        }
        try {
            assertEquals(images.size(), kept.size(), "one frame per recorded photo");
            for (int i = 0; i < kept.size(); i++) {
                Mat m = kept.get(i).mat();
                assertEquals(i, kept.get(i).sequence());
                assertEquals(3, m.channels());
                assertEquals(TestVideos.WIDTH, m.cols());
                assertEquals(TestVideos.HEIGHT, m.rows());
                // near-lossless MJPEG: the frame is this photo (small error) and clearly not the next one
                double own = meanAbsDiff(images.get(i), m);
                double other = meanAbsDiff(images.get((i + 1) % images.size()), m);
                assertTrue(own < 6.0, "frame " + i + " differs from its photo by " + own);
                assertTrue(other > 2 * own, "frame " + i + " is not a copy of the next frame's buffer: own " + own
                        + ", other " + other);
            }
        } finally {
            kept.forEach(CameraFrame::close);
        }
        assertEquals(liveBefore, CameraFrame.liveCount());
    }

    @Test
    void loopsAtTheEndWhenAsked() throws Exception {
        try (var source = FFmpegFrameSource.file(video, true, false)) {
            source.open();
            for (int i = 0; i < 2 * images.size() + 1; i++) {
                try (CameraFrame f = source.grab()) {
                    assertNotNull(f, "frame " + i + " of a looping file");
                    assertEquals(i, f.sequence());
                }
            }
        }
    }

    @Test
    void realtimePlaybackWaitsOneFrameIntervalOfTheFile() throws Exception {
        List<Duration> sleeps = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
        Sleeper fake = d -> {
            sleeps.add(d);
            nanos.addAndGet(d.toNanos());
        };
        try (var source = FFmpegFrameSource.file(video, false, true, fake, nanos::get)) {
            source.open();
            for (int i = 0; i < 3; i++) {
                source.grab().close();
            }
        }
        // on the fake clock decoding takes no time, so each wait is the file's full 1/10 s; the first frame comes at once
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(100)), sleeps);
    }

    @Test
    void missingFileFailsToOpenWithItsPath() {
        var source = FFmpegFrameSource.file(tmp.resolve("gone.avi"), false, false);
        CameraException e = assertThrows(CameraException.class, source::open);
        assertTrue(e.getMessage().contains("gone.avi"), e.getMessage());
        source.close();
    }

    @Test
    void garbageFileFailsToOpen() throws Exception {
        Path bad = tmp.resolve("bad.avi");
        java.nio.file.Files.writeString(bad, "this is not a video");
        try (var source = FFmpegFrameSource.file(bad, false, false)) {
            CameraException e = assertThrows(CameraException.class, source::open);
            assertTrue(e.getMessage().contains("cannot open video file"), e.getMessage());
        }
    }

    @Test
    void credentialsInStreamAddressesAreRedacted() {
        assertEquals("stream rtsp://***@10.0.0.5:554/live",
                FFmpegFrameSource.stream("rtsp://admin:secret@10.0.0.5:554/live", 1000, 1000).describe());
        assertEquals("stream http://cam.local/mjpg", FFmpegFrameSource.stream("http://cam.local/mjpg", 1000, 1000).describe());
    }

    @Test
    void unreachableStreamFailsToOpenWithinItsTimeout() {
        // a closed local port: refused at once, exercising the stream options without a network
        try (var source = FFmpegFrameSource.stream("rtsp://user:pw@127.0.0.1:9/none", 2000, 2000)) {
            CameraException e = assertThrows(CameraException.class, source::open);
            assertTrue(e.getMessage().contains("rtsp://***@127.0.0.1:9/none"), e.getMessage());
            assertTrue(!e.getMessage().contains("pw"), "no password in " + e.getMessage());
        }
    }

    private static double meanAbsDiff(Mat a, Mat b) {
        try (Mat d = new Mat()) {
            opencv_core.absdiff(a, b, d);
            var s = opencv_core.mean(d);
            return (s.get(0) + s.get(1) + s.get(2)) / 3.0;
        }
    }
    /** vision.max_image_pixels: a video whose frames are larger is refused at open, before the first frame. */
    @Test
    void videoWithFramesOverThePixelLimitIsRefusedAtOpen() throws Exception {
        long limit = (long) TestVideos.WIDTH * TestVideos.HEIGHT - 1;
        try (var source = FFmpegFrameSource.file(video, false, false).limitPixels(limit)) {
            CameraException e = assertThrows(CameraException.class, source::open);
            assertTrue(e.getMessage().contains("vision.max_image_pixels (" + limit + ")"), e.getMessage());
        }
        try (var source = FFmpegFrameSource.file(video, false, false).limitPixels(limit + 1);
             var ignored = openAndGrab(source)) {
            assertTrue(ignored != null, "at the limit the video plays");
        }
    }

    private static CameraFrame openAndGrab(FFmpegFrameSource source) throws CameraException {
        source.open();
        return source.grab();
    }
    /**
     * A camera.type file that is an image declaring 20000x20000 pixels in a tiny file: refused on its header,
     * before FFmpeg's probe would decode it (1.2 GB).
     */
    @Test
    void imageFileDeclaringAHugeSizeIsRefusedOnItsHeader(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path bomb = dir.resolve("bomb.png");
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(png);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(20_000).putInt(20_000).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0)
                .array();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr);
        out.writeInt(13);
        out.write(ihdr);
        out.writeInt((int) crc.getValue());
        java.nio.file.Files.write(bomb, png.toByteArray());
        try (var source = FFmpegFrameSource.file(bomb, false, false).limitPixels(40_000_000L)) {
            CameraException e = assertThrows(CameraException.class, source::open);
            assertTrue(e.getMessage().contains("20000x20000") && e.getMessage().contains("max_image_pixels"),
                    e.getMessage());
        }
    }
}

package io.facegate.camera;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderFrameSourceTest {

    @TempDir
    Path tmp;

    @Test
    void playsRealPhotosInNameOrderAsBgrFrames() throws Exception {
        List<Path> photos = TestFaces.photos("bbt/amy");
        Path folder = copyAs(photos, tmp.resolve("cam"));
        long liveBefore = CameraFrame.liveCount();
        try (var source = new ImageFolderFrameSource(folder, 10, false, false)) {
            source.open();
            assertEquals(photos.size(), source.imageCount());
            for (int i = 0; i < photos.size(); i++) {
                try (CameraFrame frame = source.grab(); Mat expected = imread(photos.get(i).toString())) {
                    assertNotNull(frame, "frame " + i);
                    assertEquals(i, frame.sequence());
                    assertEquals(3, frame.mat().channels(), "BGR has 3 channels");
                    assertEquals(expected.cols(), frame.width());
                    assertEquals(expected.rows(), frame.height());
                    assertEquals(0.0, opencv_core.norm(expected, frame.mat()), "frame " + i + " is photo " + i);
                }
            }
            assertNull(source.grab(), "end of the folder without loop");
        }
        assertEquals(liveBefore, CameraFrame.liveCount(), "every frame closed");
    }

    @Test
    void loopsAndPacesAtTheConfiguredRate() throws Exception {
        List<Path> photos = TestFaces.photos("bbt/amy").subList(0, 2);
        Path folder = copyAs(photos, tmp.resolve("cam"));
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        List<Duration> sleeps = new ArrayList<>();
        Sleeper fakeSleep = d -> {
            sleeps.add(d);
            nanos.addAndGet(d.toNanos());
        };
        try (var source = new ImageFolderFrameSource(folder, 4, true, true, fakeSleep, Clock.systemUTC(), nanos::get)) {
            source.open();
            for (int i = 0; i < 5; i++) {
                try (CameraFrame frame = source.grab()) {
                    assertNotNull(frame, "looping never ends");
                    assertEquals(i, frame.sequence());
                }
            }
        }
        // first frame at once, then one frame every 1/4 s
        assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofMillis(250),
                Duration.ofMillis(250)), sleeps);
    }

    @Test
    void missingOrEmptyFolderFailsToOpenWithItsName() throws Exception {
        var missing = new ImageFolderFrameSource(tmp.resolve("nope"), 5, false, false);
        CameraException e1 = assertThrows(CameraException.class, missing::open);
        assertTrue(e1.getMessage().contains("nope"), e1.getMessage());

        Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(tmp.resolve("empty/readme.txt"), "not an image");
        var empty = new ImageFolderFrameSource(tmp.resolve("empty"), 5, false, false);
        CameraException e2 = assertThrows(CameraException.class, empty::open);
        assertTrue(e2.getMessage().contains("no images"), e2.getMessage());
    }

    @Test
    void imageDeletedAfterOpenIsAReadError() throws Exception {
        List<Path> photos = TestFaces.photos("bbt/amy").subList(0, 2);
        Path folder = copyAs(photos, tmp.resolve("cam"));
        try (var source = new ImageFolderFrameSource(folder, 5, false, false)) {
            source.open();
            Files.delete(folder.resolve("frame001" + ext(photos.get(1))));
            try (CameraFrame first = source.grab()) {
                assertFalse(first.isClosed());
            }
            assertThrows(CameraException.class, source::grab);
        }
    }

    /** Copies photos into {@code dir} as frame000.ext, frame001.ext, ... */
    static Path copyAs(List<Path> photos, Path dir) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < photos.size(); i++) {
            Files.copy(photos.get(i), dir.resolve(String.format("frame%03d%s", i, ext(photos.get(i)))));
        }
        return dir;
    }

    static String ext(Path p) {
        String n = p.getFileName().toString();
        return n.substring(n.lastIndexOf('.'));
    }
    /**
     * vision.max_image_pixels holds for the folder camera too, checked on the header before any pixel is decoded
     * (a 20000x20000 PNG took the daemon to 6.8 GB): the frame is refused with a clear error.
     */
    @Test
    void imageLargerThanThePixelLimitIsRefusedBeforeDecoding() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("big"));
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1200, 1000,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(img, "png", folder.resolve("a.png").toFile());
        long liveBefore = CameraFrame.liveCount();
        try (var source = new ImageFolderFrameSource(folder, 5, false, false, 1_000_000)) {
            source.open();
            CameraException e = assertThrows(CameraException.class, source::grab);
            assertTrue(e.getMessage().contains("1200x1000") && e.getMessage().contains("1000000"), e.getMessage());
        }
        assertEquals(liveBefore, CameraFrame.liveCount());
        try (var source = new ImageFolderFrameSource(folder, 5, false, false, 1_200_000);
             var ignored = openAndGrab(source)) {
            assertEquals(1200, ignored.mat().cols(), "at the limit the image is played");
        }
    }

    private static CameraFrame openAndGrab(ImageFolderFrameSource source) throws CameraException {
        source.open();
        return source.grab();
    }
}

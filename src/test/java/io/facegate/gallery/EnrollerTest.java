package io.facegate.gallery;

import io.facegate.access.Candidate;

import io.facegate.TestData;
import io.facegate.config.GalleryConfig;
import io.facegate.config.VisionConfig;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;

import static org.bytedeco.opencv.global.opencv_core.hconcat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every quality gate tripped by a real photo (or one derived from a real photo with OpenCV), the duplicate and
 * consistency checks, and bad inputs that must store nothing. Needs the model pack and the real photos.
 */
class EnrollerTest {
    private static FacePipeline pipeline;
    private static Path faces;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        faces = TestData.faces("deepface").getParent();
        pipeline = FacePipeline.open(VisionConfig.defaults().withModelsDir(TestData.models()));
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private Gallery gallery(GalleryConfig cfg) {
        return Gallery.open(cfg.withDataDir(dir.resolve("data")), pipeline.featureModel());
    }

    private static Path photo(String rel) {
        return faces.resolve(rel);
    }

    private static DetectedFace face(Mat m) {
        List<DetectedFace> fs = pipeline.detect(m);
        assertFalse(fs.isEmpty());
        return fs.get(0);
    }

    private Path write(String name, Mat m) {
        Path p = dir.resolve(name);
        assertTrue(imwrite(p.toString(), m), "write " + p);
        return p;
    }

    /** A refused photo leaves the gallery exactly as it was. */
    private static void assertNothingStored(Gallery g, Enroller.Outcome o, long versionBefore) {
        assertEquals(0, o.accepted());
        assertTrue(o.change().isEmpty());
        assertEquals(versionBefore, g.version());
        assertTrue(g.person(o.personId()).isEmpty() || g.store().templateCount(o.personId()) > 0);
    }

    private static Enroller.PhotoOutcome enrollOne(Enroller e, Gallery g, String id, Path p, Rejection expected) {
        long v = g.version();
        Enroller.Outcome o = e.enroll(Person.of(id, id, null), List.of(p), false);
        Enroller.PhotoOutcome po = o.photos().get(0);
        assertEquals(expected, po.rejection(), po.message());
        assertFalse(po.message().isBlank());
        assertNothingStored(g, o, v);
        assertTrue(g.person(id).isEmpty(), "no person row for a refused first enrollment");
        return po;
    }

    @Test
    void goodPhotosAreAcceptedAndStored() {
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller e = new Enroller(pipeline, g);
            Enroller.Outcome o = e.enroll(Person.of("p01", "P01", null),
                    List.of(photo("deepface/p01/1.jpg"), photo("deepface/p01/2.jpg")), false);
            assertEquals(2, o.accepted(), o.photos().toString());
            assertEquals(1, g.version());
            assertEquals(2, g.templateCount());
            for (Enroller.PhotoOutcome po : o.photos()) {
                assertTrue(po.quality() > 0 && po.quality() <= 1, "quality " + po.quality());
            }
            Candidate r = g.best(embed(photo("deepface/p01/3.jpg")));
            assertEquals("p01", r.personId());
        }
    }

    private static float[] embed(Path p) {
        try (Mat m = Images.read(p, 40_000_000L)) {
            return pipeline.embed(m, face(m));
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void blurredPhotoIsRefused() {
        Path out;
        double sharpBefore;
        try (Mat m = imread(photo("deepface/p01/1.jpg").toString()); Mat b = new Mat()) {
            DetectedFace f = face(m);
            sharpBefore = Enroller.sharpness(m, f);
            double sigma = f.box().width() / 25.0;
            GaussianBlur(m, b, new Size(0, 0), sigma);
            out = write("blurred.png", b);
        }
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller.PhotoOutcome po = enrollOne(new Enroller(pipeline, g), g, "blurry", out, Rejection.TOO_BLURRED);
            assertTrue(po.measures().sharpness() < sharpBefore / 10, po.message());
        }
    }

    @Test
    void shrunkPhotoIsTooSmall() {
        Path out;
        try (Mat m = imread(photo("deepface/p02/1.jpg").toString()); Mat s = new Mat()) {
            DetectedFace f = face(m);
            double scale = 22.0 / f.eyeDistance(); // eyes about 22 px apart, below the default 30
            resize(m, s, new Size((int) (m.cols() * scale), (int) (m.rows() * scale)), 0, 0, INTER_AREA);
            out = write("small.png", s);
        }
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller.PhotoOutcome po = enrollOne(new Enroller(pipeline, g), g, "tiny", out, Rejection.FACE_TOO_SMALL);
            assertTrue(po.message().contains("px"), po.message());
        }
    }

    @Test
    void twoPeopleSideBySideAreRefused() {
        Path out;
        try (Mat a = imread(photo("deepface/p01/2.jpg").toString());
             Mat b0 = imread(photo("deepface/p03/2.jpg").toString());
             Mat b = new Mat(); Mat both = new Mat()) {
            resize(b0, b, new Size(b0.cols() * a.rows() / b0.rows(), a.rows()));
            try (MatVector v = new MatVector(a, b)) {
                hconcat(v, both);
            }
            out = write("two.jpg", both);
        }
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller.PhotoOutcome po = enrollOne(new Enroller(pipeline, g), g, "pair", out, Rejection.MULTIPLE_FACES);
            assertTrue(po.message().contains("faces"), po.message());
        }
    }

    @Test
    void turnedHeadIsRefusedOnARealPhoto() {
        // bbt/stuart/5.png is a real photo of a head turned about three-quarters (yaw 0.88 from the landmarks).
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller.PhotoOutcome po = enrollOne(new Enroller(pipeline, g), g, "stuart", photo("bbt/stuart/5.png"),
                    Rejection.HEAD_TURNED);
            assertTrue(po.measures().yaw() > 0.6, po.message());
        }
    }

    @Test
    void photoWithoutAFaceIsRefused() {
        Path out;
        try (Mat m = imread(photo("deepface/p01/1.jpg").toString())) {
            DetectedFace f = face(m);
            // The widest strip of the real photo beside the face (left or right of its box, with a margin).
            int left = Math.max(0, (int) f.box().x1() - (int) (0.3 * f.box().width()));
            int right = Math.min(m.cols(), (int) f.box().x2() + (int) (0.3 * f.box().width()));
            Rect r = left >= m.cols() - right ? new Rect(0, 0, left, m.rows())
                    : new Rect(right, 0, m.cols() - right, m.rows());
            assertTrue(r.width() > 40, "strip beside the face is wide enough");
            try (Mat strip = new Mat(m, r).clone()) {
                out = write("noface.png", strip);
            }
        }
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            enrollOne(new Enroller(pipeline, g), g, "nobody", out, Rejection.NO_FACE);
        }
    }

    @Test
    void badInputsGiveClearErrorsAndStoreNothing() throws Exception {
        byte[] jpeg = Files.readAllBytes(photo("deepface/p01/1.jpg"));
        Path truncated = dir.resolve("truncated.jpg");
        Files.write(truncated, java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        Path text = dir.resolve("notes.jpg");
        Files.writeString(text, "this is not a photo\n");
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, pngHeader(20000, 20000));
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller e = new Enroller(pipeline, g);
            Enroller.PhotoOutcome t = enrollOne(e, g, "t", truncated, Rejection.UNREADABLE_IMAGE);
            assertTrue(t.message().contains("truncated"), t.message());
            Enroller.PhotoOutcome x = enrollOne(e, g, "x", text, Rejection.UNREADABLE_IMAGE);
            assertTrue(x.message().contains("not an image"), x.message());
            Enroller.PhotoOutcome b = enrollOne(e, g, "b", bomb, Rejection.IMAGE_TOO_LARGE);
            assertTrue(b.message().contains("20000x20000"), b.message());
            // Mixed with a good photo: the good one is enrolled, the bad ones are listed.
            Enroller.Outcome o = e.enroll(Person.of("mix", "Mix", null),
                    List.of(truncated, photo("deepface/p04/1.jpg"), bomb), false);
            assertEquals(1, o.accepted());
            assertEquals(1, g.store().templateCount("mix"));
            assertEquals(1, g.version());
            assertTrue(g.store().verify().consistent());
        }
    }

    /** A PNG signature and an IHDR chunk (valid CRC) declaring the given size, and nothing else. */
    static byte[] pngHeader(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer data = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] type = "IHDR".getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(type);
        out.writeBytes(data.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    @Test
    void duplicateOfAnotherPersonIsRefusedNamingThemAndTheScore() {
        try (Gallery g = gallery(GalleryConfig.defaults())) {
            Enroller e = new Enroller(pipeline, g);
            assertEquals(1, e.enroll(Person.of("p01", "P01", null), List.of(photo("deepface/p01/1.jpg")), false)
                    .accepted());
            long v = g.version();
            Enroller.Outcome o = e.enroll(Person.of("impostor", "Impostor", null),
                    List.of(photo("deepface/p01/2.jpg")), false);
            Enroller.PhotoOutcome po = o.photos().get(0);
            assertEquals(Rejection.DUPLICATE, po.rejection());
            assertTrue(po.message().contains("p01") && po.message().matches(".*score 0\\.\\d{3}.*"), po.message());
            assertNothingStored(g, o, v);
            assertTrue(g.person("impostor").isEmpty());
        }
        // Allowed on request (twins): then it is stored.
        try (Gallery g = gallery(GalleryConfig.defaults().withAllowDuplicates(true))) {
            Enroller.Outcome o = new Enroller(pipeline, g).enroll(Person.of("twin", "Twin", null),
                    List.of(photo("deepface/p01/2.jpg")), false);
            assertEquals(1, o.accepted());
        }
    }

    @Test
    void wrongPersonRepeatedPhotoAndTemplateLimit() {
        GalleryConfig cfg = new GalleryConfig(null, 2, null, null, null, null, null, null, null, null, null, null);
        try (Gallery g = gallery(cfg)) {
            Enroller e = new Enroller(pipeline, g);
            Enroller.Outcome o = e.enroll(Person.of("p01", "P01", null),
                    List.of(photo("deepface/p01/1.jpg"), photo("deepface/p05/1.jpg")), false);
            assertEquals(1, o.accepted());
            assertEquals(Rejection.NOT_SAME_PERSON, o.photos().get(1).rejection(), o.photos().get(1).message());
            o = e.enroll(Person.of("p01", "P01", null), List.of(photo("deepface/p01/1.jpg"),
                    photo("deepface/p01/2.jpg"), photo("deepface/p01/3.jpg")), false);
            assertEquals(Rejection.ALREADY_ENROLLED, o.photos().get(0).rejection());
            assertNull(o.photos().get(1).rejection(), o.photos().get(1).message());
            assertEquals(Rejection.TEMPLATE_LIMIT, o.photos().get(2).rejection());
            assertEquals(2, g.store().templateCount("p01"));
            assertEquals(2, g.version());
        }
    }
}

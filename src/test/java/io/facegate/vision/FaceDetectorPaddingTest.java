package io.facegate.vision;

import io.facegate.image.Images;
import io.facegate.image.ImageException;
import io.facegate.TestData;
import io.facegate.config.VisionConfig;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Padding decided per photo: a tight crop (the face filling the photo, as in ORL-style data sets) is detected on a
 * padded copy, a camera frame or an ordinary photo as it is. Real photos and tight crops made from them in memory.
 */
class FaceDetectorPaddingTest {
    private static FacePipeline standard;
    private static FacePipeline auto;
    private static FacePipeline always;

    @BeforeAll
    static void open() {
        VisionConfig config = VisionConfig.defaults().withModelsDir(TestData.models());
        standard = FacePipeline.open(config);
        auto = FacePipeline.open(config.withDetectPadding("auto"));
        always = FacePipeline.open(config.withDetectPadding("always"));
    }

    @AfterAll
    static void close() {
        for (FacePipeline p : new FacePipeline[] {standard, auto, always}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static List<Path> photos() throws IOException {
        try (Stream<Path> s = Files.walk(TestData.faces("deepface"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jpg")).sorted().toList();
        }
    }

    private static Mat read(Path p) throws ImageException {
        return Images.readForRecognition(p, 40_000_000L, 640);
    }

    private static DetectedFace largest(FacePipeline p, Mat image, String what) {
        List<DetectedFace> faces = p.detect(image);
        assertFalse(faces.isEmpty(), "no face in " + what);
        return faces.get(0);
    }

    @Test
    void theDefaultModeIsAdaptive() {
        assertEquals("adaptive", VisionConfig.defaults().detectPadding());
    }

    @Test
    void aTightCropMatchesItsOwnPhotoAsWellAsThePaddedPathDoes() throws IOException, ImageException {
        List<String> worse = new ArrayList<>();
        double sumStandard = 0;
        double sumPadded = 0;
        int n = 0;
        for (Path photo : photos()) {
            try (Mat image = read(photo)) {
                DetectedFace original = largest(standard, image, photo.toString());
                float[] reference = standard.embed(image, original);
                for (double enlarge : new double[] {1.0, 1.1}) {
                    try (Mat crop = TightCrops.crop(image, original.box(), enlarge)) {
                        String what = photo.getParent().getFileName() + "/" + photo.getFileName() + " x" + enlarge;
                        DetectedFace f = largest(standard, crop, what);
                        DetectedFace padded = largest(always, crop, what);
                        double mine = Embeddings.cosine(reference, standard.embed(crop, f));
                        double theirs = Embeddings.cosine(reference, always.embed(crop, padded));
                        sumStandard += mine;
                        sumPadded += theirs;
                        n++;
                        if (mine < theirs - 0.05) {
                            worse.add(what + String.format(" %.3f < padded %.3f", mine, theirs));
                        }
                    }
                }
            }
        }
        assertTrue(worse.isEmpty(), "tight crops that match their own photo worse than on the padded path: " + worse);
        assertTrue(sumStandard / n >= sumPadded / n - 0.005,
                String.format("mean similarity to the own photo %.4f, padded path %.4f", sumStandard / n, sumPadded / n));
    }

    @Test
    void aTightCropGetsAFaceAlignedAsWellAsOnThePaddedPath() throws IOException, ImageException {
        double sumStandard = 0;
        double sumPadded = 0;
        int n = 0;
        for (Path photo : photos()) {
            try (Mat image = read(photo)) {
                DetectedFace original = largest(standard, image, photo.toString());
                try (Mat crop = TightCrops.crop(image, original.box())) {
                    sumStandard += FaceAligner.residual(largest(standard, crop, photo.toString()).landmarks5());
                    sumPadded += FaceAligner.residual(largest(always, crop, photo.toString()).landmarks5());
                    n++;
                }
            }
        }
        assertTrue(sumStandard / n <= sumPadded / n + 0.05,
                String.format("mean alignment residual %.3f px, padded path %.3f px", sumStandard / n, sumPadded / n));
    }

    @Test
    void anOrdinaryPhotoKeepsItsBoxUnlessTheFaceCrowdsTheFrame() throws IOException, ImageException {
        int kept = 0;
        for (Path photo : photos()) {
            try (Mat image = read(photo)) {
                List<FaceDetector.Detection> before = auto.detectBoxes(image);
                List<FaceDetector.Detection> now = standard.detectBoxes(image);
                assertFalse(now.isEmpty(), photo.toString());
                if (!FaceDetector.crowdsFrame(before.get(0).box(), image.cols(), image.rows())) {
                    assertEquals(before, now, photo + ": a face well inside the photo keeps the unpadded result");
                    kept++;
                }
            }
        }
        assertTrue(kept >= photos().size() / 2, "most ordinary photos have the face well inside: " + kept);
    }
}

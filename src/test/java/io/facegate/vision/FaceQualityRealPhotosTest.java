package io.facegate.vision;

import io.facegate.image.Images;
import io.facegate.image.ImageException;
import io.facegate.TestData;
import io.facegate.config.VisionConfig;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.getRotationMatrix2D;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each quality measure on a real frontal photo and on the same photo blurred, shrunk, rotated, mirrored and
 * washed out: the measure that should move moves the right way, the others stay put.
 */
class FaceQualityRealPhotosTest {
    private static FacePipeline pipeline;

    @BeforeAll
    static void open() {
        pipeline = FacePipeline.open(VisionConfig.defaults().withModelsDir(TestData.models()));
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static Mat photo(String name) throws ImageException {
        return Images.read(TestData.faces("deepface").resolve(name), 40_000_000L);
    }

    private static FaceSample sample(Mat image) {
        List<DetectedFace> faces = pipeline.detect(image);
        assertFalse(faces.isEmpty(), "no face found");
        return pipeline.embedWithQuality(image, faces.get(0));
    }

    @Test
    void oneCallGivesTheSameEmbeddingAsEmbedAndItsRawNorm() throws ImageException {
        try (Mat m = photo("p03/3.jpg")) {
            DetectedFace face = pipeline.detect(m).get(0);
            FaceSample s = pipeline.embedWithQuality(m, face);
            assertEquals(1.0, Embeddings.cosine(s.embedding(), pipeline.embed(m, face)), 1e-6);
            assertEquals(1.0, Embeddings.norm(s.embedding()), 1e-4, "the embedding is unit length");
            FaceQuality q = s.quality();
            assertTrue(q.embeddingNorm() > 0 && Double.isFinite(q.embeddingNorm()), "raw norm " + q.embeddingNorm());
            assertEquals(face.eyeDistance(), q.interEyeDistancePx(), 1e-3);
            assertTrue(q.alignmentResidual() >= 0 && q.alignmentResidual() < 6, "residual " + q.alignmentResidual());
            assertTrue(Math.abs(q.yawDegrees()) < 15 && Math.abs(q.rollDegrees()) < 15, "a frontal photo: " + q);
            assertTrue(q.contrast() > 20 && q.sharpness() > 0, q.toString());
        }
    }

    @Test
    void blurLowersSharpness() throws ImageException {
        try (Mat m = photo("p03/3.jpg"); Mat blurred = new Mat(); Size auto = new Size(0, 0)) {
            FaceQuality sharp = sample(m).quality();
            // a blur of 1/25 of the eye distance: what a face a step out of focus looks like
            GaussianBlur(m, blurred, auto, sharp.interEyeDistancePx() / 25);
            FaceQuality soft = sample(blurred).quality();
            assertTrue(soft.sharpness() < 0.7 * sharp.sharpness(), sharp.sharpness() + " -> " + soft.sharpness());
            assertEquals(sharp.interEyeDistancePx(), soft.interEyeDistancePx(), 0.1 * sharp.interEyeDistancePx());
        }
    }

    @Test
    void shrinkingLowersTheEyeDistanceInProportionAndTheDetail() throws ImageException {
        try (Mat m = photo("p03/3.jpg"); Mat small = new Mat(); Size none = new Size(0, 0)) {
            FaceQuality full = sample(m).quality();
            resize(m, small, none, 0.125, 0.125, INTER_AREA);
            FaceQuality shrunk = sample(small).quality();
            assertEquals(0.125 * full.interEyeDistancePx(), shrunk.interEyeDistancePx(),
                    0.1 * 0.125 * full.interEyeDistancePx());
            // about 39 px between the eyes: the aligned face is upsampled, so it carries less fine detail
            assertTrue(shrunk.sharpness() < full.sharpness(), full.sharpness() + " -> " + shrunk.sharpness());
        }
    }

    @Test
    void rotatingThePhotoShowsAsRollOnly() throws ImageException {
        try (Mat m = photo("p03/3.jpg"); Mat rotated = new Mat();
             Point2f centre = new Point2f(m.cols() / 2f, m.rows() / 2f);
             Mat r = getRotationMatrix2D(centre, -20, 1.0); Size size = new Size(m.cols(), m.rows())) {
            FaceQuality upright = sample(m).quality();
            // OpenCV turns counter-clockwise for a positive angle: -20 turns the face clockwise on screen
            warpAffine(m, rotated, r, size);
            FaceQuality tilted = sample(rotated).quality();
            assertEquals(upright.rollDegrees() + 20, tilted.rollDegrees(), 4);
            assertEquals(upright.yawDegrees(), tilted.yawDegrees(), 6);
            assertEquals(upright.interEyeDistancePx(), tilted.interEyeDistancePx(), 0.1 * upright.interEyeDistancePx());
        }
    }

    @Test
    void aTurnedHeadHasYawAndItsMirrorImageTheOppositeYaw() throws ImageException {
        try (Mat m = photo("p05/4.jpg"); Mat mirrored = new Mat()) {
            FaceQuality turned = sample(m).quality();
            flip(m, mirrored, 1);
            FaceQuality mirror = sample(mirrored).quality();
            assertTrue(Math.abs(turned.yawDegrees()) > 15, "p05/4 looks to one side: yaw " + turned.yawDegrees());
            assertEquals(-turned.yawDegrees(), mirror.yawDegrees(), 6);
            FaceQuality frontal;
            try (Mat f = photo("p03/3.jpg")) {
                frontal = sample(f).quality();
            }
            assertTrue(Math.abs(frontal.yawDegrees()) < Math.abs(turned.yawDegrees()));
        }
    }

    @Test
    void washingOutTheLightLowersContrastNotSharpness() throws ImageException {
        try (Mat m = photo("p03/3.jpg"); Mat flat = new Mat()) {
            FaceQuality normal = sample(m).quality();
            m.convertTo(flat, m.type(), 0.5, 64);
            FaceQuality washed = sample(flat).quality();
            assertEquals(0.5 * normal.contrast(), washed.contrast(), 0.1 * normal.contrast());
            assertEquals(normal.sharpness(), washed.sharpness(), 0.15 * normal.sharpness(),
                    "sharpness is divided by contrast, so halving the contrast leaves it");
        }
    }
}

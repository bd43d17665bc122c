package io.facegate.vision;

import io.facegate.image.Images;
import io.facegate.image.ImageException;
import io.facegate.TestData;
import io.facegate.config.VisionConfig;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real models on real photos: the same person scores above the threshold, different people below. */
class FacePipelineRealPhotosTest {
    /** A cosine at which the default model pack falsely accepts about 1 pair in 1,000 (shared/models.md). */
    private static final double SAME_PERSON_COSINE = 0.41;

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

    private static float[] embed(Path photo) throws ImageException {
        try (Mat m = Images.read(photo, 40_000_000L)) {
            List<DetectedFace> faces = pipeline.detect(m);
            assertFalse(faces.isEmpty(), "no face in " + photo);
            DetectedFace f = faces.get(0);
            float[] e = pipeline.embed(m, f);
            assertEquals(512, e.length);
            return e;
        }
    }

    @Test
    void samePersonAboveThresholdDifferentPeopleBelow() throws ImageException {
        Path deepface = TestData.faces("deepface");
        float[] a1 = embed(deepface.resolve("p01/1.jpg"));
        float[] a2 = embed(deepface.resolve("p01/2.jpg"));
        float[] b1 = embed(deepface.resolve("p02/1.jpg"));
        float[] c1 = embed(deepface.resolve("p05/1.jpg"));
        assertTrue(Embeddings.cosine(a1, a2) > SAME_PERSON_COSINE, "same person");
        assertTrue(Embeddings.cosine(a1, b1) < SAME_PERSON_COSINE, "different people");
        assertTrue(Embeddings.cosine(b1, c1) < SAME_PERSON_COSINE, "different people");
        double norm = 0;
        for (float v : a1) {
            norm += v * v;
        }
        assertEquals(1.0, norm, 1e-4, "embeddings are L2-normalised");
    }

    @Test
    void tightGreyCropsAreFoundAndMatched() throws ImageException {
        Path bbt = TestData.faces("bbt");
        float[] amy1 = embed(bbt.resolve("amy/1.png"));
        float[] amy2 = embed(bbt.resolve("amy/2.png"));
        float[] penny = embed(bbt.resolve("penny/1.png"));
        assertTrue(Embeddings.cosine(amy1, amy2) > SAME_PERSON_COSINE);
        assertTrue(Embeddings.cosine(amy1, penny) < SAME_PERSON_COSINE);
    }

    @Test
    void landmarksSitInsideTheFaceBoxInAnatomicalOrder() throws ImageException {
        try (Mat m = Images.read(TestData.faces("deepface").resolve("p01/4.jpg"), 40_000_000L)) {
            DetectedFace f = pipeline.detect(m).get(0);
            BoundingBox b = f.box();
            for (int i = 0; i < 5; i++) {
                assertTrue(f.x(i) > b.x1() && f.x(i) < b.x2() && f.y(i) > b.y1() && f.y(i) < b.y2(), "point " + i);
            }
            assertTrue(f.x(DetectedFace.LEFT_EYE) < f.x(DetectedFace.RIGHT_EYE));
            assertTrue(f.y(DetectedFace.LEFT_EYE) < f.y(DetectedFace.NOSE));
            assertTrue(f.y(DetectedFace.NOSE) < f.y(DetectedFace.MOUTH_LEFT));
            float live = pipeline.liveness(m, f);
            assertTrue(live >= 0 && live <= 1);
        }
    }

    @Test
    void blankImageHasNoFace() {
        try (Mat grey = new Mat(480, 640, CV_8UC3, new Scalar(128, 128, 128, 0))) {
            assertTrue(pipeline.detect(grey).isEmpty());
        }
    }

    @Test
    void embeddingsAreDeterministic() throws ImageException {
        Path p = TestData.faces("deepface").resolve("p03/1.jpg");
        assertEquals(1.0, Embeddings.cosine(embed(p), embed(p)), 1e-6);
    }
}

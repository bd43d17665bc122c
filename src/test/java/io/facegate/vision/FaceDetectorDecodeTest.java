package io.facegate.vision;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceDetectorDecodeTest {

    @Test
    void keepsOnlyAnchorsAboveThresholdAndScalesToPixels() {
        float[] scores = {0.9f, 0.1f, 0.2f, 0.8f, 0.5f, 0.5f};
        float[] boxes = {
                0, 0, 1, 1,
                0.25f, 0.25f, 0.5f, 0.75f,
                0.1f, 0.1f, 0.2f, 0.2f};
        List<FaceDetector.Detection> d = FaceDetector.decode(scores, boxes, 640, 480, 0, 640, 480, 0.65f, 0.4f);
        assertEquals(1, d.size());
        BoundingBox b = d.get(0).box();
        assertEquals(160, b.x1(), 1e-3);
        assertEquals(120, b.y1(), 1e-3);
        assertEquals(320, b.x2(), 1e-3);
        assertEquals(360, b.y2(), 1e-3);
        assertEquals(0.8f, d.get(0).score(), 1e-6);
    }

    @Test
    void removesPaddingAndClipsToTheOriginalImage() {
        // image 100x50 padded by 50 on each side -> 200x150 seen by the model
        float[] scores = {0.0f, 0.95f};
        float[] boxes = {0.2f, 0.2f, 0.9f, 0.6f};
        List<FaceDetector.Detection> d = FaceDetector.decode(scores, boxes, 200, 150, 50, 100, 50, 0.65f, 0.4f);
        BoundingBox b = d.get(0).box();
        assertEquals(0, b.x1(), 1e-3);     // 40 - 50 clipped to 0
        assertEquals(0, b.y1(), 1e-3);     // 30 - 50 clipped to 0
        assertEquals(100, b.x2(), 1e-3);   // 180 - 50 = 130 clipped to 100
        assertEquals(40, b.y2(), 1e-3);    // 90 - 50
    }

    @Test
    void nmsKeepsTheBestOfEachOverlappingGroup() {
        FaceDetector.Detection a = new FaceDetector.Detection(new BoundingBox(0, 0, 10, 10), 0.9f);
        FaceDetector.Detection b = new FaceDetector.Detection(new BoundingBox(1, 1, 11, 11), 0.95f);
        FaceDetector.Detection c = new FaceDetector.Detection(new BoundingBox(50, 50, 60, 60), 0.7f);
        FaceDetector.Detection touching = new FaceDetector.Detection(new BoundingBox(8, 0, 18, 10), 0.8f);
        List<FaceDetector.Detection> kept = FaceDetector.nms(List.of(a, b, c, touching), 0.4f);
        assertEquals(List.of(b, touching, c), kept);
    }

    @Test
    void iouOfKnownBoxes() {
        BoundingBox a = new BoundingBox(0, 0, 10, 10);
        assertEquals(1f, a.iou(a), 1e-6);
        assertEquals(25f / 175f, a.iou(new BoundingBox(5, 5, 15, 15)), 1e-6);
        assertEquals(0f, a.iou(new BoundingBox(10, 10, 20, 20)), 1e-6);
    }

    @Test
    void normalisationGivesUnitVectorsAndCosineIsScaleFree() {
        float[] v = Embeddings.normalize(new float[] {3, 4});
        assertEquals(0.6f, v[0], 1e-6);
        assertEquals(0.8f, v[1], 1e-6);
        assertEquals(1.0, Embeddings.cosine(new float[] {1, 2, 3}, new float[] {2, 4, 6}), 1e-9);
        assertEquals(0.0, Embeddings.cosine(new float[] {1, 0}, new float[] {0, 5}), 1e-9);
        assertTrue(Embeddings.cosine(new float[] {1, 0}, new float[] {-1, 0}) < -0.99);
        float[] zero = Embeddings.normalize(new float[] {0, 0});
        assertEquals(0f, zero[0]);
    }

    @Test
    void livenessContextStaysInsideTheImage() {
        var r = LivenessEstimator.contextRect(new BoundingBox(0, 0, 40, 40), 100, 80);
        assertTrue(r.x() >= 0 && r.y() >= 0 && r.x() + r.width() <= 100 && r.y() + r.height() <= 80);
        assertEquals(79, r.height());   // scale limited by the image height: (80 - 1) / 40
        float[] p = LivenessEstimator.softmax(new float[] {2, 1, 0});
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-6);
        assertTrue(p[0] > p[1] && p[1] > p[2]);
    }

    @Test
    void aFaceCrowdsTheFrameWhenItFillsOverHalfOrWasClippedAtTheBorder() {
        assertFalse(FaceDetector.crowdsFrame(new BoundingBox(270, 180, 370, 300), 640, 480), "camera distance");
        assertTrue(FaceDetector.crowdsFrame(new BoundingBox(100, 20, 440, 460), 640, 480), "taller than half");
        assertTrue(FaceDetector.crowdsFrame(new BoundingBox(0, 200, 80, 300), 640, 480), "clipped on the left");
        assertTrue(FaceDetector.crowdsFrame(new BoundingBox(300, 200, 400, 479), 640, 480), "clipped at the bottom");
        assertTrue(FaceDetector.crowdsFrame(new BoundingBox(1.2f, 10, 40, 60), 92, 112),
                "within 2% of the side of a small crop counts as clipped");
    }

    @Test
    void thePaddedPassWinsWhereItFoundTheFaceAndSmallFacesItMissedAreKept() {
        FaceDetector.Detection clipped = new FaceDetector.Detection(new BoundingBox(0, 0, 92, 100), 0.99f);
        FaceDetector.Detection whole = new FaceDetector.Detection(new BoundingBox(8, 5, 84, 108), 0.99f);
        FaceDetector.Detection smallElsewhere = new FaceDetector.Detection(new BoundingBox(500, 10, 520, 34), 0.9f);
        assertEquals(List.of(whole), FaceDetector.preferPadded(List.of(whole), List.of(clipped)));
        assertEquals(List.of(whole, smallElsewhere),
                FaceDetector.preferPadded(List.of(whole), List.of(clipped, smallElsewhere)));
        assertEquals(List.of(clipped), FaceDetector.preferPadded(List.of(), List.of(clipped)),
                "nothing found padded: the unpadded result stands");
    }
}

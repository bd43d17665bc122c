package io.facegate.vision;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SimilarityTransformTest {

    private static double[] transform(double[] pts, double scale, double angle, double tx, double ty) {
        double[] out = new double[pts.length];
        double c = Math.cos(angle), s = Math.sin(angle);
        for (int i = 0; i < pts.length; i += 2) {
            out[i] = scale * (c * pts[i] - s * pts[i + 1]) + tx;
            out[i + 1] = scale * (s * pts[i] + c * pts[i + 1]) + ty;
        }
        return out;
    }

    @Test
    void recoversAKnownRotationScaleAndTranslation() {
        double[] src = {10, 20, 50, 22, 30, 40, 15, 60, 48, 58};
        double[] dst = transform(src, 1.7, Math.toRadians(23), -12.5, 40.25);
        SimilarityTransform t = SimilarityTransform.estimate(src, dst);
        assertEquals(1.7, t.scale(), 1e-9);
        assertEquals(Math.toRadians(23), t.rotationRadians(), 1e-9);
        assertEquals(-12.5, t.tx(), 1e-9);
        assertEquals(40.25, t.ty(), 1e-9);
        double[] p = t.apply(src[4], src[5]);
        assertArrayEquals(new double[] {dst[4], dst[5]}, p, 1e-9);
    }

    @Test
    void identityOnTheTemplateItself() {
        SimilarityTransform t = SimilarityTransform.estimate(SimilarityTransform.ARCFACE_112, SimilarityTransform.ARCFACE_112);
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, t.toAffine(), 1e-12);
    }

    @Test
    void leastSquaresAveragesNoiseAndNeverShears() {
        Random rnd = new Random(7);
        double[] src = SimilarityTransform.ARCFACE_112.clone();
        double[] dst = transform(src, 0.5, -0.3, 100, 200);
        for (int i = 0; i < dst.length; i++) {
            dst[i] += rnd.nextGaussian() * 0.05;
        }
        SimilarityTransform t = SimilarityTransform.estimate(src, dst);
        assertEquals(0.5, t.scale(), 1e-3);
        assertEquals(-0.3, t.rotationRadians(), 1e-2);
        double[] m = t.toAffine();
        // a similarity: the 2x2 part is a scaled rotation, so a == d and b == -c
        assertEquals(m[0], m[4], 1e-12);
        assertEquals(m[1], -m[3], 1e-12);
    }

    @Test
    void alignmentMapsEyesOntoTheTemplate() {
        // a face twice the template size, rotated by 10 degrees, somewhere in a large image
        double[] face = transform(SimilarityTransform.ARCFACE_112, 2.0, Math.toRadians(10), 300, 120);
        float[] five = new float[10];
        for (int i = 0; i < 10; i++) {
            five[i] = (float) face[i];
        }
        SimilarityTransform t = FaceAligner.transformFor(five);
        double[] leftEye = t.apply(face[0], face[1]);
        assertEquals(SimilarityTransform.ARCFACE_112[0], leftEye[0], 1e-3);
        assertEquals(SimilarityTransform.ARCFACE_112[1], leftEye[1], 1e-3);
        assertEquals(0.5, t.scale(), 1e-6);
    }

    @Test
    void refusesDegeneratePoints() {
        assertThrows(IllegalArgumentException.class,
                () -> SimilarityTransform.estimate(new double[] {1, 1, 1, 1}, new double[] {0, 0, 1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> SimilarityTransform.estimate(new double[] {1, 1}, new double[] {0, 0}));
    }
}

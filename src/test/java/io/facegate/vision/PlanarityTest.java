package io.facegate.vision;

import io.facegate.config.AccessConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.facegate.vision.SyntheticLandmarks.face;
import static io.facegate.vision.SyntheticLandmarks.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The homography residual on exact synthetic landmarks: a plane gives ~0, a rotating 3D set of points does not. */
class PlanarityTest {
    private static final Planarity DEFAULT = new Planarity(AccessConfig.DEFAULT_PLANARITY_MIN_MOTION,
            AccessConfig.DEFAULT_PLANARITY_THRESHOLD);

    private static List<float[]> clip(double[][] obj, double... yaws) {
        List<float[]> frames = new ArrayList<>();
        for (double yaw : yaws) {
            frames.add(project(obj, yaw, yaw / 2, 0));
        }
        return frames;
    }

    @Test
    void aTiltedPlaneIsExplainedByOneHomography() {
        List<float[]> frames = clip(face(false), 0, 10, 20, 30);
        Planarity.Result r = DEFAULT.judge(frames);
        assertEquals(Planarity.Verdict.PLANAR, r.verdict());
        assertTrue(r.motion() >= AccessConfig.DEFAULT_PLANARITY_MIN_MOTION,
                "the perspective tilt is out-of-plane motion: " + r.motion());
        assertTrue(r.residual() < 1e-4, "a plane leaves ~0: " + r.residual());
        assertTrue(r.unexplained() < 1e-3, "of the motion: " + r.unexplained());
    }

    @Test
    void aRotatingHeadIsNot() {
        Planarity.Result r = DEFAULT.judge(clip(face(true), 0, 10, 20, 30));
        assertEquals(Planarity.Verdict.NON_PLANAR, r.verdict());
        assertTrue(r.residual() > 0.02, "relief under rotation: " + r.residual());
        assertTrue(r.unexplained() >= 0.6, "a plane explains little of a head's turn: " + r.unexplained());
    }

    @Test
    void landmarkJitterOnAStillFaceIsNeverTakenForAPlane() {
        double[][] head = face(true);
        Random rnd = new Random(11);
        for (double jitterPx : new double[] {0.5, 1, 2, 4}) {
            List<float[]> frames = new ArrayList<>();
            for (int f = 0; f < 5; f++) {
                float[] p = project(head, 0, 0, 0);
                for (int i = 0; i < p.length; i++) {
                    p[i] += (float) (rnd.nextGaussian() * jitterPx);
                }
                frames.add(p);
            }
            Planarity.Result r = DEFAULT.judge(frames);
            assertTrue(r.verdict() != Planarity.Verdict.PLANAR, "jitter " + jitterPx + " px: " + r);
        }
    }

    @Test
    void aHeadThatOnlyShiftsOrComesCloserAbstains() {
        double[][] head = face(true);
        List<float[]> frames = List.of(project(head, 0, 0, 0), project(head, 0, 0, 40), project(head, 0, 0, -25));
        Planarity.Result r = DEFAULT.judge(frames);
        assertEquals(Planarity.Verdict.ABSTAIN, r.verdict());
        assertTrue(Double.isNaN(r.residual()));
        assertTrue(r.motion() < 1e-3, "a shift moves the head in the image plane only: " + r.motion());
    }

    @Test
    void fewerThanTwoUsableFramesAbstain() {
        double[][] head = face(true);
        assertEquals(Planarity.Verdict.ABSTAIN, DEFAULT.judge(List.of(project(head, 0, 0, 0))).verdict());
        List<float[]> withBad = new ArrayList<>();
        withBad.add(project(head, 0, 0, 0));
        withBad.add(null);
        withBad.add(new float[10]);
        withBad.add(new float[2 * Planarity.POINTS]); // every point on one spot
        float[] nan = project(head, 30, 0, 0);
        nan[5] = Float.NaN;
        withBad.add(nan);
        assertEquals(Planarity.Verdict.ABSTAIN, DEFAULT.judge(withBad).verdict());
    }

    @Test
    void homographyRecoversAKnownOne() {
        double[][] a = new double[Planarity.POINTS][2];
        double[][] b = new double[Planarity.POINTS][2];
        double[][] h = {{1.1, 0.05, 12}, {-0.03, 0.95, -7}, {1e-4, -2e-4, 1}};
        Random rnd = new Random(3);
        for (int i = 0; i < a.length; i++) {
            a[i] = new double[] {200 + 150 * rnd.nextDouble(), 150 + 180 * rnd.nextDouble()};
            double w = h[2][0] * a[i][0] + h[2][1] * a[i][1] + h[2][2];
            b[i] = new double[] {(h[0][0] * a[i][0] + h[0][1] * a[i][1] + h[0][2]) / w,
                    (h[1][0] * a[i][0] + h[1][1] * a[i][1] + h[1][2]) / w};
        }
        assertTrue(Planarity.homographyResidual(a, b) < 1e-9);
        assertTrue(Planarity.similarityResidual(a, b) > 0.01);
    }
}

package io.facegate.vision;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pose and alignment residual from five points, on the template itself and on known moves of its points. */
class FaceQualityPoseTest {
    private static final double[] T = SimilarityTransform.ARCFACE_112;

    private static float[] points(double[] xy) {
        float[] f = new float[xy.length];
        for (int i = 0; i < xy.length; i++) {
            f[i] = (float) xy[i];
        }
        return f;
    }

    private static double[] rotate(double[] xy, double degrees, double scale, double tx, double ty) {
        double c = Math.cos(Math.toRadians(degrees)), s = Math.sin(Math.toRadians(degrees));
        double[] out = new double[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = scale * (c * xy[i] - s * xy[i + 1]) + tx;
            out[i + 1] = scale * (s * xy[i] + c * xy[i + 1]) + ty;
        }
        return out;
    }

    private static double[] moveNose(double dx, double dy) {
        double[] p = T.clone();
        p[2 * DetectedFace.NOSE] += dx;
        p[2 * DetectedFace.NOSE + 1] += dy;
        return p;
    }

    @Test
    void theTemplateIsFrontalLevelAndFitsExactly() {
        double[] pose = FaceQuality.pose(points(T));
        assertEquals(0, pose[0], 2, "yaw");
        // the template's nose sits a little higher than a 68-point nose tip: a few degrees of chin-up at most
        assertEquals(0, pose[1], 10, "pitch");
        assertEquals(0, pose[2], 0.5, "roll");
        assertEquals(0, FaceAligner.residual(points(T)), 1e-3);
    }

    @Test
    void rollFollowsTheEyeLineAndLeavesYawAndPitchAlone() {
        double[] level = FaceQuality.pose(points(T));
        double[] turned = FaceQuality.pose(points(rotate(T, 25, 3.0, 400, 120)));
        assertEquals(level[2] + 25, turned[2], 0.5);
        assertEquals(level[0], turned[0], 0.5, "yaw does not change with roll or scale");
        assertEquals(level[1], turned[1], 0.5, "pitch does not change with roll or scale");
        assertEquals(0, FaceAligner.residual(points(rotate(T, 25, 3.0, 400, 120))), 1e-2,
                "a similarity of the template fits it exactly");
    }

    @Test
    void noseToTheRightIsPositiveYawAndNoseUpIsPositivePitch() {
        double[] frontal = FaceQuality.pose(points(T));
        double[] right = FaceQuality.pose(points(moveNose(8, 0)));
        double[] left = FaceQuality.pose(points(moveNose(-8, 0)));
        assertTrue(right[0] > frontal[0] + 10 && left[0] < frontal[0] - 10, "yaw " + right[0] + " / " + left[0]);
        assertEquals(right[0] - frontal[0], frontal[0] - left[0], 1, "symmetric");
        double[] up = FaceQuality.pose(points(moveNose(0, -6)));
        double[] down = FaceQuality.pose(points(moveNose(0, 6)));
        assertTrue(up[1] > frontal[1] + 10 && down[1] < frontal[1] - 10, "pitch " + up[1] + " / " + down[1]);
        assertTrue(FaceAligner.residual(points(moveNose(8, 0))) > 1, "a moved nose no longer fits the template");
    }

    @Test
    void degeneratePointsGiveNoPoseRatherThanAnInvented() {
        float[] sameSpot = new float[10];
        double[] pose = FaceQuality.pose(sameSpot);
        assertTrue(Double.isNaN(pose[0]) && Double.isNaN(pose[1]));
        double[] upsideDown = rotate(T, 180, 1, 112, 112);
        double[] p = FaceQuality.pose(points(upsideDown));
        assertEquals(180, Math.abs(p[2]), 0.5, "roll still says how the eye line lies");
    }
}

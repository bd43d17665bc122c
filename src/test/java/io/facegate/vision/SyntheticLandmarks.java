package io.facegate.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Exact 68-point landmarks of a flat photo or a head with relief, seen through a pinhole camera. */
public final class SyntheticLandmarks {
    private SyntheticLandmarks() {
    }

    /** 68 points of a face-sized object 160 units wide; depth 0 for a photo, a head's relief otherwise. */
    public static double[][] face(boolean relief) {
        Random rnd = new Random(7);
        double[][] p = new double[Planarity.POINTS][3];
        for (int i = 0; i < p.length; i++) {
            double x = -80 + 160 * rnd.nextDouble();
            double y = -100 + 200 * rnd.nextDouble();
            // a head: an ellipsoid-like face with the nose region 40 units forward
            double z = relief ? 60 * Math.sqrt(Math.max(0, 1 - (x * x) / (90 * 90) - (y * y) / (120 * 120)))
                    + 40 * Math.exp(-(x * x + (y - 10) * (y - 10)) / (2 * 20 * 20)) : 0;
            p[i] = new double[] {x, y, z};
        }
        return p;
    }

    /** Pinhole projection (focal 800 px, object 700 units away) after a yaw and a pitch, then a shift. */
    public static float[] project(double[][] p, double yawDeg, double pitchDeg, double shiftX) {
        double cy = Math.cos(Math.toRadians(yawDeg)), sy = Math.sin(Math.toRadians(yawDeg));
        double cp = Math.cos(Math.toRadians(pitchDeg)), sp = Math.sin(Math.toRadians(pitchDeg));
        float[] out = new float[2 * p.length];
        for (int i = 0; i < p.length; i++) {
            double x = cy * p[i][0] + sy * p[i][2];
            double z1 = -sy * p[i][0] + cy * p[i][2];
            double y = cp * p[i][1] - sp * z1;
            double z = sp * p[i][1] + cp * z1;
            double depth = 700 - z;
            out[2 * i] = (float) (320 + shiftX + 800 * x / depth);
            out[2 * i + 1] = (float) (240 + 800 * y / depth);
        }
        return out;
    }

    /** Frames of the object turning by these yaws (and half as much pitch). */
    public static List<float[]> turning(boolean relief, double... yaws) {
        double[][] obj = face(relief);
        List<float[]> frames = new ArrayList<>();
        for (double yaw : yaws) {
            frames.add(project(obj, yaw, yaw / 2, 0));
        }
        return frames;
    }
}

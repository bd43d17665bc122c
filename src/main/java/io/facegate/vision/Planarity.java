package io.facegate.vision;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a track's landmarks move as a plane does: a printed photo or a screen, however it is tilted, maps its
 * points from one frame to the next by a single homography; the points of a head turning in front of the camera do
 * not (the nose moves against the eyes and the mouth). From the landmarks of a pair of frames (brows, eyes, nose
 * and mouth: 51 of the 68) this fits a homography by the normalised DLT (least squares over all points) and measures
 * how far it misses.
 *
 * <p>It only says something when the face moved out of the image plane: a face that only shifts, turns in the image
 * plane or comes closer is explained by a plane and by a head alike. The motion that a similarity (shift, rotation,
 * scale) leaves unexplained measures that ({@code motion}, as a share of the face's radius); the pair of frames with
 * the most of it is judged, and below {@code minMotion} the check abstains. The verdict is on the share of that
 * motion the homography cannot explain ({@code residual / motion}): a plane leaves only the landmarks' jitter, so the
 * share falls as the plane turns; a head leaves its relief. Random jitter leaves a share near 1 (a homography explains
 * it hardly better than a similarity), but the landmark model's errors are partly structured (they follow the face's
 * size), so {@code minMotion} must stay above the motion they make on a face that only comes closer (see
 * docs/liveness.md). It cannot tell a video replay of a moving head or a 3D mask from a live face: both move in depth
 * as a head does.
 *
 * <p>Pure Java, no model; one 102x9 SVD per track decision.
 */
public final class Planarity {
    /** Points per frame (x, y pairs): the landmark model's 68. */
    public static final int POINTS = 68;
    /**
     * The jaw line (points 0..16) is left out: it is the landmark model's least stable part, and its errors change
     * with the face's size in the image, which a homography partly fits (a photo only coming closer then looked
     * planar); brows, nose, eyes and mouth keep the relief a turning head shows.
     */
    static final int FIRST_USED = 17;

    /**
     * Only frames whose faces differ in size by at most this factor are compared: the landmark model's errors change
     * with the face's size, and a face walking up changes size while a photo being tilted hardly does.
     */
    static final double MAX_SCALE_CHANGE = 1.1;

    public enum Verdict { PLANAR, NON_PLANAR, ABSTAIN }

    /**
     * @param verdict  planar (the unexplained share stays below the threshold while the face moved enough),
     *                 non-planar, or abstain (too little motion, or fewer than two frames with landmarks)
     * @param residual the RMS miss of the best homography on the pair that moved most, as a share of the face's RMS
     *                 radius; NaN when it abstained
     * @param motion   the largest RMS miss of the best similarity over all pairs, same unit; NaN with fewer than two
     *                 frames
     */
    public record Result(Verdict verdict, double residual, double motion) {
        /** The share of the out-of-plane motion no plane explains: residual / motion; NaN when it abstained. */
        public double unexplained() {
            return residual / motion;
        }
    }

    private final double minMotion;
    private final double threshold;

    /**
     * @param minMotion out-of-plane motion (similarity miss as a share of the face's radius) below which a pair of
     *                  frames says nothing
     * @param threshold share of that motion the homography leaves unexplained at or above which the motion is not
     *                  planar, in (0, 1)
     */
    public Planarity(double minMotion, double threshold) {
        if (!(minMotion > 0) || !(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("planarity: min motion must be > 0 and the threshold in (0, 1)");
        }
        this.minMotion = minMotion;
        this.threshold = threshold;
    }

    /**
     * Judges the frames' landmarks (each 68 x,y pairs in pixels; null or malformed entries are skipped). Every pair
     * of frames of about one size is compared for motion; the pair that moved most decides.
     */
    public Result judge(List<float[]> frames) {
        List<double[][]> pts = new ArrayList<>();
        for (float[] f : frames) {
            double[][] p = points(f);
            if (p != null) {
                pts.add(p);
            }
        }
        if (pts.size() < 2) {
            return new Result(Verdict.ABSTAIN, Double.NaN, Double.NaN);
        }
        // of the pairs of about one size, the one that moved most out of the image plane says most: landmark errors
        // weigh least against it
        double motion = -1;
        int bi = 0, bj = 1;
        double[] size = new double[pts.size()];
        for (int i = 0; i < size.length; i++) {
            size[i] = radius(pts.get(i));
        }
        for (int i = 0; i < pts.size(); i++) {
            for (int j = i + 1; j < pts.size(); j++) {
                if (Math.max(size[i], size[j]) > MAX_SCALE_CHANGE * Math.min(size[i], size[j])) {
                    continue;
                }
                double m = similarityResidual(pts.get(i), pts.get(j));
                if (m > motion) {
                    motion = m;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (motion < minMotion) {
            return new Result(Verdict.ABSTAIN, Double.NaN, motion);
        }
        double residual = homographyResidual(pts.get(bi), pts.get(bj));
        return new Result(residual / motion >= threshold ? Verdict.NON_PLANAR : Verdict.PLANAR, residual, motion);
    }

    /** The points used, as rows (x, y), or null when the array is not 68 finite pairs. */
    static double[][] points(float[] f) {
        if (f == null || f.length != 2 * POINTS) {
            return null;
        }
        for (float v : f) {
            if (!Float.isFinite(v)) {
                return null;
            }
        }
        double[][] p = new double[POINTS - FIRST_USED][2];
        for (int i = FIRST_USED; i < POINTS; i++) {
            p[i - FIRST_USED][0] = f[2 * i];
            p[i - FIRST_USED][1] = f[2 * i + 1];
        }
        return radius(p) < 1e-6 ? null : p; // all points on one spot: not a face
    }

    /** RMS distance of the points from their centroid: the face's size. */
    static double radius(double[][] p) {
        double[] c = centroid(p);
        double s = 0;
        for (double[] q : p) {
            s += sq(q[0] - c[0]) + sq(q[1] - c[1]);
        }
        return Math.sqrt(s / p.length);
    }

    /** RMS miss of the least-squares similarity from {@code a} to {@code b}, over b's radius. */
    static double similarityResidual(double[][] a, double[][] b) {
        double[] ca = centroid(a);
        double[] cb = centroid(b);
        double saa = 0, sdot = 0, scross = 0;
        for (int i = 0; i < a.length; i++) {
            double ax = a[i][0] - ca[0], ay = a[i][1] - ca[1];
            double bx = b[i][0] - cb[0], by = b[i][1] - cb[1];
            saa += ax * ax + ay * ay;
            sdot += ax * bx + ay * by;
            scross += ax * by - ay * bx;
        }
        double s = saa == 0 ? 0 : sdot / saa;   // scale * cos
        double r = saa == 0 ? 0 : scross / saa; // scale * sin
        double err = 0;
        for (int i = 0; i < a.length; i++) {
            double ax = a[i][0] - ca[0], ay = a[i][1] - ca[1];
            double px = s * ax - r * ay + cb[0];
            double py = r * ax + s * ay + cb[1];
            err += sq(px - b[i][0]) + sq(py - b[i][1]);
        }
        return relative(err, b);
    }

    /** RMS miss of the homography fitted from {@code a} to {@code b} (normalised DLT), over b's radius. */
    static double homographyResidual(double[][] a, double[][] b) {
        double[][] h = homography(a, b);
        double err = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i][0], y = a[i][1];
            double w = h[2][0] * x + h[2][1] * y + h[2][2];
            if (Math.abs(w) < 1e-12) {
                return Double.POSITIVE_INFINITY; // a point sent to infinity: no plane explains it
            }
            double px = (h[0][0] * x + h[0][1] * y + h[0][2]) / w;
            double py = (h[1][0] * x + h[1][1] * y + h[1][2]) / w;
            err += sq(px - b[i][0]) + sq(py - b[i][1]);
        }
        return relative(err, b);
    }

    /**
     * The 3x3 homography taking {@code a} to {@code b}: both point sets are moved to their centroid and scaled to a
     * mean distance of sqrt(2) (Hartley), the 2N x 9 DLT system is solved by SVD, and the normalisation undone.
     */
    static double[][] homography(double[][] a, double[][] b) {
        double[][] ta = normalisation(a);
        double[][] tb = normalisation(b);
        int n = a.length;
        double[][] m = new double[2 * n][9];
        for (int i = 0; i < n; i++) {
            double[] p = apply(ta, a[i]);
            double[] q = apply(tb, b[i]);
            double x = p[0], y = p[1], u = q[0], v = q[1];
            m[2 * i] = new double[] {-x, -y, -1, 0, 0, 0, u * x, u * y, u};
            m[2 * i + 1] = new double[] {0, 0, 0, -x, -y, -1, v * x, v * y, v};
        }
        RealMatrix vt = new SingularValueDecomposition(new Array2DRowRealMatrix(m, false)).getV();
        double[][] hn = new double[3][3];
        for (int k = 0; k < 9; k++) {
            hn[k / 3][k % 3] = vt.getEntry(k, 8); // singular values descend: the last column is the null space
        }
        return multiply(invertNormalisation(tb), multiply(hn, ta));
    }

    private static double[][] normalisation(double[][] p) {
        double[] c = centroid(p);
        double mean = 0;
        for (double[] q : p) {
            mean += Math.hypot(q[0] - c[0], q[1] - c[1]);
        }
        mean /= p.length;
        double s = mean == 0 ? 1 : Math.sqrt(2) / mean;
        return new double[][] {{s, 0, -s * c[0]}, {0, s, -s * c[1]}, {0, 0, 1}};
    }

    private static double[][] invertNormalisation(double[][] t) {
        double s = t[0][0];
        return new double[][] {{1 / s, 0, -t[0][2] / s}, {0, 1 / s, -t[1][2] / s}, {0, 0, 1}};
    }

    private static double[] apply(double[][] t, double[] p) {
        return new double[] {t[0][0] * p[0] + t[0][1] * p[1] + t[0][2], t[1][0] * p[0] + t[1][1] * p[1] + t[1][2]};
    }

    private static double[][] multiply(double[][] x, double[][] y) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    r[i][j] += x[i][k] * y[k][j];
                }
            }
        }
        return r;
    }

    private static double relative(double sumSq, double[][] b) {
        double rad = radius(b);
        return rad == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(sumSq / b.length) / rad;
    }

    private static double[] centroid(double[][] p) {
        double x = 0, y = 0;
        for (double[] q : p) {
            x += q[0];
            y += q[1];
        }
        return new double[] {x / p.length, y / p.length};
    }

    private static double sq(double v) {
        return v * v;
    }
}

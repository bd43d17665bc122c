package io.facegate.bench;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.BORDER_TRANSPARENT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpPerspective;

/**
 * SYNTHETIC presentation attacks for tests and measurements, never real ones: a photo "re-photographed" is the photo
 * put on a plane, turned by a yaw and pitch in front of a pinhole camera (a perspective warp), pasted on a textured
 * background, then given screen moire, blur, a gamma and sensor noise. A clip of one photo at several angles moves
 * exactly as a plane does.
 */
public final class SyntheticAttacks {
    public static final int W = 640;
    public static final int H = 480;
    private static final double FOCAL = 800;
    private static final double DEPTH = 1000;

    private SyntheticAttacks() {
    }

    /** The degradations of one attack (fixed over a clip: one print, one screen). */
    public record Look(double moire, double moireFreqX, double moireFreqY, double blurSigma, double gamma,
                       double noise, int background, double widthPx) {
        public static Look random(Random rnd) {
            return new Look(0.04 + 0.10 * rnd.nextDouble(), 0.15 + 0.25 * rnd.nextDouble(),
                    0.05 + 0.2 * rnd.nextDouble(), 0.6 + 1.0 * rnd.nextDouble(), 0.7 + 0.6 * rnd.nextDouble(),
                    2 + 4 * rnd.nextDouble(), 60 + rnd.nextInt(140), 260 + 120 * rnd.nextDouble());
        }
    }

    /**
     * The BGR photo on a plane turned by {@code yawDeg} and {@code pitchDeg}, centred in a 640x480 frame at
     * {@code look.widthPx()} wide, with the look's degradations. The caller closes the result.
     */
    public static Mat rephotograph(Mat photo, double yawDeg, double pitchDeg, Look look, long noiseSeed) {
        double[] h = homography(photo.cols(), photo.rows(), yawDeg, pitchDeg, look.widthPx());
        Mat frame = background(look.background(), noiseSeed);
        try (DoublePointer dp = new DoublePointer(h); Mat hm = new Mat(3, 3, CV_64F, dp);
             Size size = new Size(W, H); Scalar zero = new Scalar(0, 0, 0, 0)) {
            warpPerspective(photo, frame, hm, size, INTER_LINEAR, BORDER_TRANSPARENT, zero);
        }
        degrade(frame, look, noiseSeed);
        try (Size auto = new Size(0, 0)) {
            GaussianBlur(frame, frame, auto, look.blurSigma());
        }
        return frame;
    }

    /** Photo pixels to frame pixels: K [r1 r2 t] A, A putting the photo's centre at the plane's origin. */
    static double[] homography(int w, int h, double yawDeg, double pitchDeg, double widthPx) {
        double s = widthPx * DEPTH / (FOCAL * w);
        double cy = Math.cos(Math.toRadians(yawDeg)), sy = Math.sin(Math.toRadians(yawDeg));
        double cp = Math.cos(Math.toRadians(pitchDeg)), sp = Math.sin(Math.toRadians(pitchDeg));
        // R = Rx(pitch) * Ry(yaw); only its first two columns matter for a plane at Z = 0
        double[][] r = {{cy, 0, sy}, {sp * sy, cp, -sp * cy}, {-cp * sy, sp, cp * cy}};
        double[][] m = {{r[0][0], r[0][1], 0}, {r[1][0], r[1][1], 0}, {r[2][0], r[2][1], DEPTH}};
        double[][] k = {{FOCAL, 0, W / 2.0}, {0, FOCAL, H / 2.0}, {0, 0, 1}};
        double[][] a = {{s, 0, -s * w / 2.0}, {0, s, -s * h / 2.0}, {0, 0, 1}};
        double[][] hm = mul(k, mul(m, a));
        double[] out = new double[9];
        for (int i = 0; i < 9; i++) {
            out[i] = hm[i / 3][i % 3] / hm[2][2];
        }
        return out;
    }

    private static Mat background(int level, long seed) {
        Mat bg = new Mat(H, W, CV_8UC3);
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        try (UByteIndexer ix = bg.createIndexer()) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int v = (int) (level + 40.0 * x / W - 20.0 * y / H + rnd.nextGaussian() * 6);
                    for (int c = 0; c < 3; c++) {
                        ix.put(y, x, c, clamp(v + 8 * c));
                    }
                }
            }
        }
        return bg;
    }

    private static void degrade(Mat frame, Look look, long seed) {
        Random rnd = new Random(seed);
        try (UByteIndexer ix = frame.createIndexer()) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    double moire = 1 + look.moire() * Math.sin(2 * Math.PI * (x * look.moireFreqX()
                            + y * look.moireFreqY()));
                    double noise = rnd.nextGaussian() * look.noise();
                    for (int c = 0; c < 3; c++) {
                        double v = ix.get(y, x, c) / 255.0 * moire;
                        v = 255 * Math.pow(Math.max(0, Math.min(1, v)), look.gamma()) + noise;
                        ix.put(y, x, c, clamp((int) Math.round(v)));
                    }
                }
            }
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static double[][] mul(double[][] x, double[][] y) {
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
}

package io.facegate.bench;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.nio.file.Path;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

/**
 * Draws a DET curve (false rejects against false accepts, both on log axes) as a PNG with OpenCV, with the
 * equal-error point and the FAR 1e-2 / 1e-3 operating points marked.
 */
public final class DetPlot {
    private static final int W = 900;
    private static final int H = 700;
    private static final int LEFT = 110;
    private static final int RIGHT = 40;
    private static final int TOP = 70;
    private static final int BOTTOM = 90;
    private static final double MIN_RATE = 1e-4;

    private DetPlot() {
    }

    public static void write(Path file, VerificationMetrics m, String title) {
        write(file, m, title, "false accept rate (impostor pairs accepted), log scale", "false reject rate, log");
    }

    /** The same plot with other axis names (identification: FPIR against FNIR). */
    public static void write(Path file, VerificationMetrics m, String title, String xLabel, String yLabel) {
        try (Mat img = new Mat(H, W, CV_8UC3, new Scalar(255, 255, 255, 0))) {
            Scalar black = new Scalar(0, 0, 0, 0);
            Scalar grid = new Scalar(220, 220, 220, 0);
            // decades from 1e-4 to 1 on both axes
            for (int d = -4; d <= 0; d++) {
                double r = Math.pow(10, d);
                int x = x(r);
                int y = y(r);
                line(img, new Point(x, TOP), new Point(x, H - BOTTOM), grid);
                line(img, new Point(LEFT, y), new Point(W - RIGHT, y), grid);
                text(img, d == 0 ? "1" : "1e" + d, x - 18, H - BOTTOM + 25, 0.5, black);
                text(img, d == 0 ? "1" : "1e" + d, LEFT - 55, y + 5, 0.5, black);
            }
            line(img, new Point(LEFT, H - BOTTOM), new Point(W - RIGHT, H - BOTTOM), black);
            line(img, new Point(LEFT, TOP), new Point(LEFT, H - BOTTOM), black);
            text(img, xLabel, LEFT + 120, H - 30, 0.6, black);
            text(img, yLabel, 10, TOP - 15, 0.55, black);
            text(img, title, LEFT, 35, 0.7, black);

            Scalar blue = new Scalar(200, 80, 0, 0);
            Point prev = null;
            for (double[] p : m.detCurve()) {
                Point cur = new Point(x(p[0]), y(p[1]));
                if (prev != null) {
                    line(img, prev, cur, blue, 2, LINE_AA, 0);
                }
                prev = cur;
            }
            VerificationMetrics.Eer eer = m.eer();
            mark(img, eer.rate(), eer.rate(), new Scalar(0, 0, 220, 0),
                    String.format(Locale.ROOT, "EER %.2f%% @ %.3f", 100 * eer.rate(), eer.threshold()));
            for (double far : new double[] {1e-2, 1e-3}) {
                if (m.resolves(far)) {
                    double t = m.thresholdAtFar(far);
                    mark(img, Math.max(m.far(t), MIN_RATE), m.frr(t), new Scalar(0, 150, 0, 0),
                            String.format(Locale.ROOT, "FAR<=%.0e: TAR %.1f%% @ %.3f", far, 100 * (1 - m.frr(t)), t));
                }
            }
            imwrite(file.toString(), img);
        }
    }

    private static void mark(Mat img, double far, double frr, Scalar color, String label) {
        int x = x(far);
        int y = y(frr);
        circle(img, new Point(x, y), 7, color, 2, LINE_AA, 0);
        text(img, label, Math.min(x + 12, W - 330), Math.max(y - 10, TOP + 15), 0.5, color);
    }

    private static void text(Mat img, String s, int x, int y, double scale, Scalar color) {
        putText(img, s, new Point(x, y), FONT_HERSHEY_SIMPLEX, scale, color, 1, LINE_AA, false);
    }

    private static int x(double rate) {
        return LEFT + (int) Math.round((W - LEFT - RIGHT) * frac(rate));
    }

    private static int y(double rate) {
        return (H - BOTTOM) - (int) Math.round((H - TOP - BOTTOM) * frac(rate));
    }

    /** Position of a rate on a log axis from 1e-4 (0) to 1 (1); zero rates sit on the axis. */
    private static double frac(double rate) {
        double r = Math.max(rate, MIN_RATE);
        return (Math.log10(r) - Math.log10(MIN_RATE)) / -Math.log10(MIN_RATE);
    }
}

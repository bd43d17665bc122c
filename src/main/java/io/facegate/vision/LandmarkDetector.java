package io.facegate.vision;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

/**
 * 68-point landmarks on a square grey crop around the face, reduced to the five points alignment needs.
 */
public final class LandmarkDetector {
    static final int SIZE = 64;

    private final OnnxModel model;

    public LandmarkDetector(OnnxModel model) {
        this.model = model;
    }

    /** The 68 points as x,y pairs in image pixels. */
    public float[] landmarks68(Mat bgr, BoundingBox box) {
        // square crop, side = box height, centred on the box (the model was trained on such crops)
        float side = box.height();
        float x1 = box.centerX() - side / 2f;
        float y1 = box.centerY() - side / 2f;
        float[] raw;
        try (Mat crop = cropResize(bgr, x1, y1, side, SIZE); Mat grey = new Mat()) {
            cvtColor(crop, grey, COLOR_BGR2GRAY);
            try (Mat blob = Blobs.blob(grey, SIZE, SIZE, 0, 1 / 256.0, false)) {
                raw = model.run(Blobs.view(blob))[0];
            }
        }
        float[] points = new float[raw.length];
        for (int i = 0; i < raw.length; i += 2) {
            points[i] = raw[i] * side + x1;
            points[i + 1] = raw[i + 1] * side + y1;
        }
        return points;
    }

    /** Left eye (mean of 36..41), right eye (42..47), nose tip (30), mouth corners (48, 54). */
    public static float[] toFivePoints(float[] p68) {
        float[] five = new float[10];
        meanOf(p68, 36, 41, five, 0);
        meanOf(p68, 42, 47, five, 1);
        copy(p68, 30, five, 2);
        copy(p68, 48, five, 3);
        copy(p68, 54, five, 4);
        return five;
    }

    private static void meanOf(float[] p, int from, int to, float[] out, int slot) {
        float sx = 0, sy = 0;
        for (int i = from; i <= to; i++) {
            sx += p[2 * i];
            sy += p[2 * i + 1];
        }
        int n = to - from + 1;
        out[2 * slot] = sx / n;
        out[2 * slot + 1] = sy / n;
    }

    private static void copy(float[] p, int index, float[] out, int slot) {
        out[2 * slot] = p[2 * index];
        out[2 * slot + 1] = p[2 * index + 1];
    }

    /**
     * The square {@code (x1, y1, side)} resampled to {@code size x size}; parts outside the image are black.
     * Pixel centres are mapped onto pixel centres, as {@code cv::resize} does.
     */
    static Mat cropResize(Mat bgr, float x1, float y1, float side, int size) {
        double s = size / (double) side;
        double[] m = {s, 0, (0.5 - x1) * s - 0.5, 0, s, (0.5 - y1) * s - 0.5};
        Mat out = new Mat();
        try (DoublePointer dp = new DoublePointer(m); Mat affine = new Mat(2, 3, CV_64F, dp);
             Size dsize = new Size(size, size); Scalar black = new Scalar(0, 0, 0, 0)) {
            warpAffine(bgr, out, affine, dsize, INTER_LINEAR, BORDER_CONSTANT, black);
        }
        return out;
    }
}

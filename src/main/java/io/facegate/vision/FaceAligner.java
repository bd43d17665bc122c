package io.facegate.vision;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

/** Warps a face onto the ArcFace 112x112 template with a least-squares similarity from its five points. */
public final class FaceAligner {
    public static final int SIZE = 112;

    private FaceAligner() {
    }

    public static SimilarityTransform transformFor(float[] landmarks5) {
        return SimilarityTransform.estimate(toDoubles(landmarks5), SimilarityTransform.ARCFACE_112);
    }

    /**
     * How far the five points are from the template's shape once rotation, scale and position are taken out: RMS
     * distance in template pixels (112x112). Turned heads and misplaced landmarks fit worse.
     */
    public static double residual(float[] landmarks5) {
        double[] src = toDoubles(landmarks5);
        return SimilarityTransform.estimate(src, SimilarityTransform.ARCFACE_112)
                .rmsResidual(src, SimilarityTransform.ARCFACE_112);
    }

    private static double[] toDoubles(float[] landmarks5) {
        double[] src = new double[landmarks5.length];
        for (int i = 0; i < src.length; i++) {
            src[i] = landmarks5[i];
        }
        return src;
    }

    /** The aligned 112x112 BGR face; the caller closes it. */
    public static Mat align(Mat bgr, float[] landmarks5) {
        return warp(bgr, transformFor(landmarks5), SIZE);
    }

    static Mat warp(Mat bgr, SimilarityTransform t, int size) {
        Mat out = new Mat();
        try (DoublePointer dp = new DoublePointer(t.toAffine()); Mat affine = new Mat(2, 3, CV_64F, dp);
             Size dsize = new Size(size, size); Scalar black = new Scalar(0, 0, 0, 0)) {
            warpAffine(bgr, out, affine, dsize, INTER_LINEAR, BORDER_CONSTANT, black);
        }
        return out;
    }
}

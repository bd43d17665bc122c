package io.facegate.vision;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.FloatBuffer;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_dnn.blobFromImage;

/** Turns images into NCHW float blobs with OpenCV's dnn module: resize, (v - mean) * scale, channel swap. */
final class Blobs {
    private Blobs() {
    }

    /**
     * Builds a [1, C, h, w] float blob of {@code image} resized (bilinear, aspect not kept) to {@code w x h}.
     *
     * @param rgb true to feed channels R,G,B (the image is BGR)
     */
    static Mat blob(Mat image, int w, int h, double mean, double scale, boolean rgb) {
        try (Size size = new Size(w, h); Scalar m = new Scalar(mean, mean, mean, 0)) {
            return blobFromImage(image, scale, size, m, rgb, false, CV_32F);
        }
    }

    /** A direct view of the blob's memory, valid as long as the blob is open. */
    static FloatBuffer view(Mat blob) {
        FloatPointer p = new FloatPointer(blob.data());
        return p.capacity(blob.total()).asBuffer();
    }
}

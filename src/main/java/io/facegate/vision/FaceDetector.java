package io.facegate.vision;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;

/**
 * UltraFace RFB-320 face detector. The model sees the whole image squeezed to 320x240 and returns, for each of
 * its 4420 anchors, a face probability and an already-decoded box in 0..1 coordinates.
 */
public final class FaceDetector {
    static final int WIDTH = 320;
    static final int HEIGHT = 240;
    /** Border added on each side, as a fraction of max(w, h), when the face may fill the photo. */
    static final float PAD_FRACTION = 0.5f;
    /**
     * A face box wider or taller than this fraction of the image is at the top of UltraFace's anchor range
     * (anchors 10..256 px on the 320x240 input): its box comes out misshapen. Padding halves its size in the
     * detector's input, which keeps it above a quarter of the frame, well inside the range.
     */
    static final float LARGE_FACE_FRACTION = 0.5f;
    /**
     * A box edge within this fraction of the image's shorter side from the border (about 5 of the detector's 240
     * input rows, the precision of its box regression) was clipped: the face goes on beyond the photo.
     */
    static final float BORDER_FRACTION = 0.02f;

    /**
     * {@code ADAPTIVE} (the default): detect on the image as it is, and again on a padded copy when no face is
     * found or the largest face crowds the frame ({@link #crowdsFrame}): a tight crop then gets the padded box,
     * a camera frame or an ordinary photo keeps its own. {@code AUTO}: pad only when nothing is found.
     * {@code ALWAYS}, {@code NEVER}.
     */
    public enum Padding { ADAPTIVE, AUTO, ALWAYS, NEVER }

    /** A box and its score, before landmarks. */
    public record Detection(BoundingBox box, float score) {
    }

    private final OnnxModel model;
    private final float scoreThreshold;
    private final float nmsIou;
    private final Padding padding;

    public FaceDetector(OnnxModel model, double scoreThreshold, double nmsIou, Padding padding) {
        this.model = model;
        this.scoreThreshold = (float) scoreThreshold;
        this.nmsIou = (float) nmsIou;
        this.padding = padding;
    }

    /** Faces in {@code bgr}, largest first, boxes clipped to the image. */
    public List<Detection> detect(Mat bgr) {
        if (padding == Padding.ALWAYS) {
            return detectPadded(bgr);
        }
        List<Detection> found = detectAt(bgr, 0);
        if (found.isEmpty()) {
            // a face that fills the photo (a passport-style crop) is too big for the anchors: give it room
            return padding == Padding.NEVER ? found : detectPadded(bgr);
        }
        if (padding == Padding.ADAPTIVE && crowdsFrame(found.get(0).box(), bgr.cols(), bgr.rows())) {
            return preferPadded(detectPadded(bgr), found);
        }
        return found;
    }

    /**
     * Whether a face box fills much of the image or was clipped at its border: then the detector saw the face
     * too large or only in part, and the box (hence the landmark crop) is off. Tight crops do this; a face at a
     * camera's usual distance does not.
     */
    static boolean crowdsFrame(BoundingBox box, int imageW, int imageH) {
        boolean large = box.width() > LARGE_FACE_FRACTION * imageW || box.height() > LARGE_FACE_FRACTION * imageH;
        float border = Math.max(1f, BORDER_FRACTION * Math.min(imageW, imageH));
        boolean clipped = box.x1() <= border || box.y1() <= border
                || box.x2() >= imageW - border || box.y2() >= imageH - border;
        return large || clipped;
    }

    /**
     * The padded pass's faces, plus the unpadded pass's faces it did not find (small faces that padding shrank
     * below the smallest anchor), largest first. Nothing found padded: the unpadded result stands.
     */
    static List<Detection> preferPadded(List<Detection> padded, List<Detection> unpadded) {
        if (padded.isEmpty()) {
            return unpadded;
        }
        List<Detection> merged = new ArrayList<>(padded);
        for (Detection d : unpadded) {
            if (padded.stream().noneMatch(p -> p.box().iou(d.box()) > 0)) {
                merged.add(d);
            }
        }
        merged.sort(Comparator.comparingDouble((Detection d) -> d.box().area()).reversed());
        return merged;
    }

    private List<Detection> detectPadded(Mat bgr) {
        int pad = Math.round(PAD_FRACTION * Math.max(bgr.cols(), bgr.rows()));
        try (Scalar black = new Scalar(0, 0, 0, 0); Mat padded = new Mat()) {
            copyMakeBorder(bgr, padded, pad, pad, pad, pad, BORDER_CONSTANT, black);
            return detectAt(padded, pad, bgr.cols(), bgr.rows());
        }
    }

    private List<Detection> detectAt(Mat bgr, int pad) {
        return detectAt(bgr, pad, bgr.cols(), bgr.rows());
    }

    private List<Detection> detectAt(Mat image, int pad, int origW, int origH) {
        float[][] out;
        try (Mat blob = Blobs.blob(image, WIDTH, HEIGHT, 127, 1 / 128.0, true)) {
            out = model.run(Blobs.view(blob));
        }
        return decode(out[0], out[1], image.cols(), image.rows(), pad, origW, origH, scoreThreshold, nmsIou);
    }

    /**
     * Turns the model's outputs into boxes in original-image pixels: keep anchors whose face score passes,
     * scale the 0..1 corners to the (padded) image, remove the padding, clip, and suppress overlaps.
     */
    static List<Detection> decode(float[] scores, float[] boxes, int imageW, int imageH, int pad, int origW,
                                  int origH, float threshold, float nmsIou) {
        List<Detection> candidates = new ArrayList<>();
        int anchors = scores.length / 2;
        for (int i = 0; i < anchors; i++) {
            float face = scores[2 * i + 1];
            if (face < threshold) {
                continue;
            }
            float x1 = clamp(boxes[4 * i] * imageW - pad, origW);
            float y1 = clamp(boxes[4 * i + 1] * imageH - pad, origH);
            float x2 = clamp(boxes[4 * i + 2] * imageW - pad, origW);
            float y2 = clamp(boxes[4 * i + 3] * imageH - pad, origH);
            if (x2 - x1 >= 2 && y2 - y1 >= 2) {
                candidates.add(new Detection(new BoundingBox(x1, y1, x2, y2), face));
            }
        }
        List<Detection> kept = nms(candidates, nmsIou);
        kept.sort(Comparator.comparingDouble((Detection d) -> d.box().area()).reversed());
        return kept;
    }

    /** Greedy non-maximum suppression: the best-scoring box wins every group that overlaps above {@code iou}. */
    static List<Detection> nms(List<Detection> candidates, float iou) {
        List<Detection> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Detection::score).reversed());
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            boolean suppressed = false;
            for (Detection k : kept) {
                if (k.box().iou(d.box()) > iou) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(d);
            }
        }
        return kept;
    }

    private static float clamp(float v, int max) {
        return Math.max(0f, Math.min(v, max));
    }
}

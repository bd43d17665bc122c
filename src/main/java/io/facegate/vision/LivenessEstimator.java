package io.facegate.vision;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * MiniFASNet-style presentation-attack check on a context crop 2.7x the face box. Returns p(live) from a
 * softmax over its three classes (class 0 = live). It has not been validated against real spoofs: treat it as one
 * signal among several.
 *
 * <p>Channels are fed B,G,R, raw 0..255. The vendor's JavaScript feeds R,G,B, but MiniFASNet (Silent-Face) was
 * trained on OpenCV's B,G,R images: with R,G,B the same real face in consecutive frames scored anywhere from 0.0
 * to 0.99, with B,G,R it scored 0.98 to 1.0 (deepface colour photos rendered as camera frames). Grey photos are
 * unaffected by the order.
 */
public final class LivenessEstimator {
    static final int SIZE = 128;
    static final double CONTEXT = 2.7;

    private final OnnxModel model;

    public LivenessEstimator(OnnxModel model) {
        this.model = model;
    }

    public float liveProbability(Mat bgr, BoundingBox box) {
        try (Rect r = contextRect(box, bgr.cols(), bgr.rows()); Mat crop = new Mat(bgr, r);
             Mat blob = Blobs.blob(crop, SIZE, SIZE, 0, 1.0, false)) {
            return softmax(model.run(Blobs.view(blob))[0])[0];
        }
    }

    /**
     * The region the model sees of a face (its context crop, at full resolution), as a copy the caller closes:
     * calibration frames saved from this are scored as the daemon scores the camera frame.
     */
    public static Mat contextCrop(Mat bgr, BoundingBox box) {
        try (Rect r = contextRect(box, bgr.cols(), bgr.rows()); Mat view = new Mat(bgr, r)) {
            return view.clone();
        }
    }

    /** The face box scaled by 2.7 (less if the image is smaller), shifted to lie inside the image. */
    static Rect contextRect(BoundingBox box, int w, int h) {
        double bw = Math.max(1, box.width()), bh = Math.max(1, box.height());
        double scale = Math.min(Math.min((h - 1) / bh, (w - 1) / bw), CONTEXT);
        double nw = bw * scale, nh = bh * scale;
        double x1 = box.centerX() - nw / 2, y1 = box.centerY() - nh / 2;
        double x2 = x1 + nw, y2 = y1 + nh;
        if (x1 < 0) {
            x2 -= x1;
            x1 = 0;
        }
        if (y1 < 0) {
            y2 -= y1;
            y1 = 0;
        }
        if (x2 > w - 1) {
            x1 -= x2 - w + 1;
            x2 = w - 1;
        }
        if (y2 > h - 1) {
            y1 -= y2 - h + 1;
            y2 = h - 1;
        }
        int rx = (int) Math.max(0, x1), ry = (int) Math.max(0, y1);
        int rw = (int) Math.max(1, Math.min(x2 - x1, w - rx)), rh = (int) Math.max(1, Math.min(y2 - y1, h - ry));
        return new Rect(rx, ry, rw, rh);
    }

    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        float sum = 0;
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}

package io.facegate.vision;

/**
 * A face found in an image.
 *
 * @param box        the detector's box in image pixels
 * @param score      the detector's face probability
 * @param landmarks5 five points as x,y pairs in image pixels: left eye, right eye, nose tip, left and right
 *                   mouth corner ("left" as seen in the image)
 * @param landmarks68 the landmark model's 68 points as x,y pairs in image pixels (null when not kept)
 */
public record DetectedFace(BoundingBox box, float score, float[] landmarks5, float[] landmarks68) {
    public static final int LEFT_EYE = 0;
    public static final int RIGHT_EYE = 1;
    public static final int NOSE = 2;
    public static final int MOUTH_LEFT = 3;
    public static final int MOUTH_RIGHT = 4;

    /** A face with only its five points. */
    public DetectedFace(BoundingBox box, float score, float[] landmarks5) {
        this(box, score, landmarks5, null);
    }

    public float x(int point) {
        return landmarks5[2 * point];
    }

    public float y(int point) {
        return landmarks5[2 * point + 1];
    }

    /** Distance between the eye centres in pixels: the usual measure of how much detail a face has. */
    public float eyeDistance() {
        return (float) Math.hypot(x(RIGHT_EYE) - x(LEFT_EYE), y(RIGHT_EYE) - y(LEFT_EYE));
    }
}

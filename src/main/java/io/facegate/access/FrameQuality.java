package io.facegate.access;

import io.facegate.vision.FaceQuality;

/**
 * The measures of one face that the decision rule's quality gates read (see {@link DecisionRule#qualityProblem}).
 * NaN fails every gate it is read by.
 *
 * @param embeddingNorm      the embedding's norm before L2 normalisation (the model's own confidence)
 * @param sharpness          Laplacian-to-contrast ratio of the aligned face (blur)
 * @param interEyeDistancePx distance between the eye centres in the frame's pixels (detail)
 * @param yawDegrees         head turn, 0 frontal
 * @param pitchDegrees       head nod, 0 frontal
 */
public record FrameQuality(double embeddingNorm, double sharpness, double interEyeDistancePx, double yawDegrees,
                           double pitchDegrees) {

    /** The gates' view of what the vision pipeline measured. */
    public static FrameQuality of(FaceQuality q) {
        return new FrameQuality(q.embeddingNorm(), q.sharpness(), q.interEyeDistancePx(), q.yawDegrees(),
                q.pitchDegrees());
    }
}

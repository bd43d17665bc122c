package io.facegate.access;

/**
 * What the decision rule needs to know about how good one face in one frame is (stand-in until the vision
 * quality record lands).
 */
public record FrameQuality(double embeddingNorm, double sharpness, double interEyeDistancePx, double yawDegrees,
                           double pitchDegrees) {
}

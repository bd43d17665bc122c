package io.facegate.vision;

/**
 * One face, embedded once: its unit-length embedding and how far it can be trusted.
 *
 * @param embedding L2-normalised embedding (biometric data: never log it)
 * @param quality   the face's measures, computed from the same inference
 */
public record FaceSample(float[] embedding, FaceQuality quality) {
}

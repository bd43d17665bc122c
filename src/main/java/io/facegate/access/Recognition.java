package io.facegate.access;

import java.time.Instant;
import java.util.Objects;

/**
 * What the vision pipeline saw of one tracked face in one frame: the evidence the access policy fuses across the
 * track's frames before asking the gallery who it is.
 *
 * @param trackId   identity of the tracked face across frames (assigned by the daemon's tracker)
 * @param embedding the face's unit-length embedding (biometric data: never logged)
 * @param quality   how good the face is; frames failing {@link DecisionRule#qualityProblem} never count toward a grant
 * @param liveness  probability that the face is live (NaN when liveness was not computed)
 * @param time      capture time of the frame
 * @param landmarks the face's 68 landmarks as x,y pairs in image pixels, for the planarity check across the track
 *                  (null when not measured: the check then abstains on this frame)
 */
public record Recognition(long trackId, float[] embedding, FrameQuality quality, double liveness, Instant time,
                          float[] landmarks) {
    public Recognition {
        Objects.requireNonNull(embedding, "embedding");
    }

    /** A frame without landmarks. */
    public Recognition(long trackId, float[] embedding, FrameQuality quality, double liveness, Instant time) {
        this(trackId, embedding, quality, liveness, time, null);
    }

    /**
     * A face that failed a quality gate before it was embedded ({@link DecisionRule#qualityProblemBeforeEmbedding}):
     * no embedding (an empty array), counted as a poor frame and never fused.
     */
    public static Recognition notEmbedded(long trackId, FrameQuality quality, Instant time) {
        return new Recognition(trackId, new float[0], quality, Double.NaN, time);
    }

    @Override
    public String toString() {
        return "Recognition[track " + trackId + ", " + quality + ", liveness " + liveness + ", " + time + "]";
    }
}

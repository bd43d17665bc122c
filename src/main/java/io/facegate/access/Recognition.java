package io.facegate.access;

import java.time.Instant;

/**
 * What the vision pipeline and matcher concluded about one tracked face in one frame.
 *
 * @param trackId    identity of the tracked face across frames (assigned by the daemon's tracker)
 * @param personId   best-matching enrolled person when the match passed the matcher's score threshold, else null;
 *                   the margin is judged by the access policy ({@code access.min_margin}, denial LOW_MARGIN)
 * @param score      cosine similarity to that person's best template (or to the best candidate when null)
 * @param margin     score minus the best score of any other person (+Infinity when no other person is enrolled;
 *                   NaN counts as too small)
 * @param liveness   probability that the face is live (NaN when liveness was not computed)
 * @param faceSizePx face width in pixels
 * @param time       capture time of the frame
 */
public record Recognition(long trackId, String personId, double score, double margin, double liveness,
                          double faceSizePx, Instant time) {
    public boolean matched() {
        return personId != null;
    }
}

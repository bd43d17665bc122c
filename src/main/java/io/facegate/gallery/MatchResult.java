package io.facegate.gallery;

/**
 * The answer of a 1:N search.
 *
 * @param personId    the matched person, or null when the best candidate missed the threshold or the margin
 * @param candidateId the best-scoring person even when refused (null only when the gallery is empty)
 * @param score       cosine of the probe with the candidate's best template (NaN when the gallery is empty)
 * @param margin      score minus the best score of any other person (score + 1 when there is no other person,
 *                    i.e. the largest possible gap; NaN when the gallery is empty)
 */
public record MatchResult(String personId, String candidateId, double score, double margin) {
    public static final MatchResult EMPTY = new MatchResult(null, null, Double.NaN, Double.NaN);

    public boolean matched() {
        return personId != null;
    }
}

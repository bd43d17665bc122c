package io.facegate.access;

/**
 * The best enrolled person for a probe, before any decision.
 *
 * @param personId the best-scoring person (null only when nobody is enrolled)
 * @param score    cosine of the probe with that person (NaN when nobody is enrolled)
 * @param margin   score minus the best score of any other person (score + 1 when there is no other person)
 */
public record Candidate(String personId, double score, double margin) {
    public static final Candidate NONE = new Candidate(null, Double.NaN, Double.NaN);
}

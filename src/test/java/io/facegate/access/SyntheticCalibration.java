package io.facegate.access;

import java.util.Map;
import java.util.Random;

/** Score calibrations built through the production {@link ScoreCalibration#fromHistograms} from seeded samples. */
public final class SyntheticCalibration {
    /** The bin width {@code facegate calibrate} uses. */
    public static final double BIN = 0.001;

    /** The model SHA-256 the synthetic tables and galleries are made for. */
    public static final String SHA = "a".repeat(64);
    /** The median norm of the synthetic tables. */
    public static final double MEDIAN_NORM = 20.0;
    /** The norm gate's bar with {@code min_norm_ratio: 0.5}. */
    public static final double MIN_NORM = 10.0;

    private SyntheticCalibration() {
    }

    /**
     * Impostor scores ~ N(0, impostorSigma) and genuine scores ~ N(genuineMean, genuineSigma), sampled; the median
     * norm is {@link #MEDIAN_NORM}.
     */
    public static ScoreCalibration normal(double impostorSigma, int impostorPairs, double genuineMean, double genuineSigma,
                                   int genuinePairs, long seed) {
        Random rnd = new Random(seed);
        return ScoreCalibration.fromHistograms("m", SHA, "synthetic N(0, " + impostorSigma + ")", 100,
                1000, histogram(rnd, 0, impostorSigma, impostorPairs), histogram(rnd, genuineMean, genuineSigma,
                        genuinePairs), BIN, Map.of("0.50", MEDIAN_NORM));
    }

    public static long[] histogram(Random rnd, double mean, double sigma, int samples) {
        long[] counts = new long[(int) Math.round(2 / BIN) + 1];
        for (int i = 0; i < samples; i++) {
            double s = Math.max(-1, Math.min(1, mean + sigma * rnd.nextGaussian()));
            counts[(int) Math.floor((s + 1) / BIN)]++;
        }
        return counts;
    }
}

package io.facegate.access;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.facegate.config.Yaml;
import org.apache.commons.math3.distribution.NormalDistribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the embedding model's scores behave, measured on labelled photos: the false accept rate (FAR) of one
 * stranger probe against one enrolled template as a function of the cosine score, and the false reject rate (FRR)
 * of a genuine pair. {@code facegate calibrate --dataset DIR} builds it; the daemon and every benchmark turn it into
 * a threshold through {@link DecisionRule}.
 *
 * <h2>The tail</h2>
 * A door needs FARs far below what any labelled folder can measure (1e-4 false matches per stranger visit over a
 * gallery of 1,000 templates is a FAR of 1e-7 per comparison). Below what the folder measures, FAR comes from a
 * normal distribution fitted to the <em>upper tail</em> of the impostor scores (the scores whose empirical FAR lies
 * between {@link #TAIL_FROM_FAR} and {@code 10 / impostorPairs}), the standard way of extrapolating biometric
 * impostor tails; fitting the tail rather than the whole distribution keeps the look-alike pairs that make the tail
 * heavier than the body. Where both are known FAR is the larger of the measured and the fitted one, so the table
 * never promises more than either says.
 *
 * @param model           file name of the embedding model the scores came from
 * @param modelSha256     its SHA-256: a table is used only with the model it was measured on
 * @param source          what it was measured on (folder, identities, photos)
 * @param identities      people in the calibration folder
 * @param photos          photos with a face
 * @param impostorPairs   pairs of photos of different people
 * @param genuinePairs    pairs of photos of the same person
 * @param tailMu          mean of the fitted normal tail
 * @param tailSigma       standard deviation of the fitted normal tail
 * @param impostor        measured (score, FAR) points, score ascending, FAR &ge; 10 / impostorPairs
 * @param genuine         measured (score, FRR) points, score ascending
 * @param normQuantiles   quantiles of the embedding's norm before normalisation, keyed by the quantile ("0.01")
 */
public record ScoreCalibration(String model, String modelSha256, String source, int identities, int photos,
                               long impostorPairs, long genuinePairs, double tailMu, double tailSigma,
                               List<double[]> impostor, List<double[]> genuine, Map<String, Double> normQuantiles) {

    /** The fit starts where one stranger photo in ten is still this similar to a random other person. */
    public static final double TAIL_FROM_FAR = 0.1;
    /** A measured FAR is trusted down to this many impostor pairs above the score. */
    static final int MIN_TAIL_COUNT = 10;
    /** Fewer impostor pairs than this cannot locate a tail. */
    public static final long MIN_IMPOSTOR_PAIRS = 1000;
    /**
     * What {@link #scoreAtFar} returns when no cosine reaches the FAR: above every score a search can return (the
     * int8 search scores a template against itself up to about 1.002), so that nobody matches.
     */
    public static final double UNREACHABLE = 2.0;
    /** The file beside the model pack that holds the table of the installed models. */
    public static final String FILE_NAME = "calibration.json";

    private static final NormalDistribution STD_NORMAL = new NormalDistribution(null, 0, 1);

    public ScoreCalibration {
        Objects.requireNonNull(modelSha256, "model_sha256");
        impostor = List.copyOf(impostor);
        genuine = List.copyOf(genuine);
        normQuantiles = normQuantiles == null ? Map.of() : Map.copyOf(normQuantiles);
        if (!(tailSigma > 0) || !Double.isFinite(tailMu)) {
            throw new IllegalArgumentException("calibration: the fitted tail needs a finite mean and a sigma > 0");
        }
        checkMonotone(impostor, "impostor", false);
        checkMonotone(genuine, "genuine", true);
    }

    /** FAR of one stranger probe against one template at {@code score}: the larger of measured and fitted. */
    public double far(double score) {
        double fitted = 1 - STD_NORMAL.cumulativeProbability((score - tailMu) / tailSigma);
        double measured = interpolateLog(impostor, score);
        return Double.isNaN(measured) ? fitted : Math.max(fitted, measured);
    }

    /**
     * The smallest score whose FAR is at most {@code far} (a bisection: {@link #far} falls as the score rises), or
     * {@link #UNREACHABLE} when not even a cosine of 1 is that rare.
     */
    public double scoreAtFar(double far) {
        if (!(far > 0 && far < 1)) {
            throw new IllegalArgumentException("FAR must be in (0, 1): " + far);
        }
        double lo = -1;
        double hi = 1;
        if (far(hi) > far) {
            return UNREACHABLE; // the model cannot reach it: no score lets anyone in
        }
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (far(mid) > far) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** Fraction of genuine pairs scoring below {@code score} (measured; 0 below and 1 above the table). */
    public double frr(double score) {
        if (genuine.isEmpty()) {
            return Double.NaN;
        }
        return interpolate(genuine, score, 1.0, (a, b, x) -> a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]));
    }

    /** The embedding-norm quantile {@code q} ("0.02"), or NaN when the table has none. */
    public double normQuantile(double q) {
        Double v = normQuantiles.get(quantileKey(q));
        return v == null ? Double.NaN : v;
    }

    static String quantileKey(double q) {
        return String.format(java.util.Locale.ROOT, "%.2f", q);
    }

    @JsonIgnore
    public boolean fitsModel(String sha256) {
        return modelSha256.equalsIgnoreCase(sha256);
    }

    // ------------------------------------------------------------------ building

    /**
     * Builds the table from score histograms.
     *
     * @param impostorCounts impostor pairs per score bin, bins of {@code binWidth} from -1
     * @param genuineCounts  genuine pairs per bin, the same bins
     */
    public static ScoreCalibration fromHistograms(String model, String modelSha256, String source, int identities,
                                                  int photos, long[] impostorCounts, long[] genuineCounts,
                                                  double binWidth, Map<String, Double> normQuantiles) {
        long n = Arrays.stream(impostorCounts).sum();
        if (n < MIN_IMPOSTOR_PAIRS) {
            throw new IllegalArgumentException("calibration needs at least " + MIN_IMPOSTOR_PAIRS
                    + " impostor pairs (photos of different people), this folder gave " + n
                    + ": use more people");
        }
        // survival: pairs scoring at or above the lower edge of each bin
        List<double[]> table = new ArrayList<>();
        List<double[]> tail = new ArrayList<>();
        long above = n;
        for (int b = 0; b < impostorCounts.length; b++) {
            double edge = -1 + b * binWidth;
            double far = (double) above / n;
            if (above >= MIN_TAIL_COUNT && impostorCounts[b] > 0) {
                table.add(new double[]{edge, far});
                if (far <= TAIL_FROM_FAR) {
                    tail.add(new double[]{STD_NORMAL.inverseCumulativeProbability(1 - far), edge});
                }
            }
            above -= impostorCounts[b];
        }
        if (tail.size() < 3) {
            throw new IllegalArgumentException("calibration: too few distinct impostor scores in the tail to fit");
        }
        double[] fit = leastSquares(tail);
        long g = Arrays.stream(genuineCounts).sum();
        List<double[]> gen = new ArrayList<>();
        long below = 0;
        for (int b = 0; b < genuineCounts.length; b++) {
            if (genuineCounts[b] > 0) {
                gen.add(new double[]{-1 + b * binWidth, (double) below / g});
            }
            below += genuineCounts[b];
        }
        if (!gen.isEmpty()) {
            gen.add(new double[]{gen.get(gen.size() - 1)[0] + binWidth, 1.0});
        }
        return new ScoreCalibration(model, modelSha256, source, identities, photos, n, g, fit[0], fit[1], table,
                gen, normQuantiles);
    }

    /** score = mu + sigma * z over (z, score) points. */
    private static double[] leastSquares(List<double[]> zs) {
        double sz = 0, ss = 0, szz = 0, szs = 0;
        for (double[] p : zs) {
            sz += p[0];
            ss += p[1];
            szz += p[0] * p[0];
            szs += p[0] * p[1];
        }
        int k = zs.size();
        double sigma = (k * szs - sz * ss) / (k * szz - sz * sz);
        double mu = (ss - sigma * sz) / k;
        return new double[]{mu, sigma};
    }

    // ------------------------------------------------------------------ files

    public static ScoreCalibration read(Path file) {
        try {
            return Yaml.jsonMapper().readValue(Files.readAllBytes(file), ScoreCalibration.class);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("score calibration " + file + " not found: run 'facegate calibrate"
                    + " --dataset DIR' on labelled photos, or reinstall the model pack", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("score calibration " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    public void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Yaml.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Log-linear interpolation of a falling (score, rate) table; NaN beyond its last point. */
    private static double interpolateLog(List<double[]> t, double score) {
        if (t.isEmpty()) {
            return Double.NaN;
        }
        return interpolate(t, score, Double.NaN, (a, b, x) -> {
            double f = (x - a[0]) / (b[0] - a[0]);
            return Math.exp(Math.log(a[1]) + f * (Math.log(b[1]) - Math.log(a[1])));
        });
    }

    /** The value inside one segment of a table, from its two (score, rate) ends. */
    @FunctionalInterface
    private interface Segment {
        double at(double[] a, double[] b, double score);
    }

    /**
     * Reads a non-empty (score, rate) table sorted by score at {@code score}: its first rate at or below the first
     * score, {@code beyond} past the last one, and the segment's interpolation in between.
     */
    private static double interpolate(List<double[]> t, double score, double beyond, Segment segment) {
        if (score <= t.get(0)[0]) {
            return t.get(0)[1];
        }
        for (int i = 1; i < t.size(); i++) {
            if (score <= t.get(i)[0]) {
                return segment.at(t.get(i - 1), t.get(i), score);
            }
        }
        return beyond;
    }

    private static void checkMonotone(List<double[]> t, String name, boolean rising) {
        for (int i = 0; i < t.size(); i++) {
            double[] p = t.get(i);
            if (p.length != 2 || !Double.isFinite(p[0]) || !(p[1] >= 0 && p[1] <= 1)) {
                throw new IllegalArgumentException("calibration " + name + "[" + i + "] is not a (score, rate) pair");
            }
            if (i > 0) {
                double[] q = t.get(i - 1);
                boolean ok = p[0] > q[0] && (rising ? p[1] >= q[1] : p[1] <= q[1]);
                if (!ok) {
                    throw new IllegalArgumentException("calibration " + name + " table is not monotone at " + i);
                }
            }
        }
    }
}

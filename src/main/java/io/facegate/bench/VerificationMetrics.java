package io.facegate.bench;

import java.util.Arrays;

/**
 * Verification quality from genuine (same person) and impostor (different people) similarity scores. A pair is
 * accepted when its score is at least the threshold.
 */
public final class VerificationMetrics {
    private final double[] genuine;   // ascending
    private final double[] impostor;  // ascending

    public VerificationMetrics(double[] genuine, double[] impostor) {
        if (genuine.length == 0 || impostor.length == 0) {
            throw new IllegalArgumentException("need at least one genuine and one impostor pair");
        }
        this.genuine = genuine.clone();
        this.impostor = impostor.clone();
        Arrays.sort(this.genuine);
        Arrays.sort(this.impostor);
    }

    /** Fraction of impostor pairs accepted at {@code t}. */
    public double far(double t) {
        return (impostor.length - lowerBound(impostor, t)) / (double) impostor.length;
    }

    /** Fraction of genuine pairs rejected at {@code t}. */
    public double frr(double t) {
        return lowerBound(genuine, t) / (double) genuine.length;
    }

    /** Area under the ROC curve: P(genuine > impostor) + P(tie) / 2, by the rank-sum statistic. */
    public double auc() {
        double wins = 0;
        int lo = 0;
        int hi = 0;
        for (double g : genuine) {
            while (lo < impostor.length && impostor[lo] < g) {
                lo++;
            }
            hi = Math.max(hi, lo);
            while (hi < impostor.length && impostor[hi] == g) {
                hi++;
            }
            wins += lo + (hi - lo) / 2.0;
        }
        return wins / ((double) genuine.length * impostor.length);
    }

    /** Equal error rate and the threshold where it occurs. */
    public record Eer(double rate, double threshold) {
    }

    /**
     * The operating point where false accepts and false rejects are closest, over every observed score as a
     * threshold; the rate is the mean of the two there.
     */
    public Eer eer() {
        double[] thresholds = candidateThresholds();
        double bestGap = Double.POSITIVE_INFINITY;
        Eer best = null;
        for (double t : thresholds) {
            double far = far(t);
            double frr = frr(t);
            double gap = Math.abs(far - frr);
            if (gap < bestGap) {
                bestGap = gap;
                best = new Eer((far + frr) / 2, t);
            }
        }
        return best;
    }

    /** The lowest threshold whose false-accept rate is at most {@code targetFar}. */
    public double thresholdAtFar(double targetFar) {
        int allowed = (int) Math.floor(targetFar * impostor.length + 1e-9);
        if (allowed >= impostor.length) {
            return impostor[0];
        }
        // accept only scores above the (allowed+1)-th highest impostor score
        return Math.nextUp(impostor[impostor.length - 1 - allowed]);
    }

    /** True-accept rate at the threshold where the false-accept rate is at most {@code targetFar}. */
    public double tarAtFar(double targetFar) {
        return 1 - frr(thresholdAtFar(targetFar));
    }

    /** Whether there are enough impostor pairs for a rate as small as {@code far} to mean anything. */
    public boolean resolves(double far) {
        return impostor.length >= Math.round(1 / far);
    }

    public int genuineCount() {
        return genuine.length;
    }

    public int impostorCount() {
        return impostor.length;
    }

    /** Every distinct score, plus one above the highest, as candidate thresholds. */
    double[] candidateThresholds() {
        double[] all = new double[genuine.length + impostor.length + 1];
        System.arraycopy(genuine, 0, all, 0, genuine.length);
        System.arraycopy(impostor, 0, all, genuine.length, impostor.length);
        all[all.length - 1] = Math.nextUp(Math.max(genuine[genuine.length - 1], impostor[impostor.length - 1]));
        return Arrays.stream(all).sorted().distinct().toArray();
    }

    /** Points of the DET curve, (FAR, FRR) for each candidate threshold, for plotting. */
    public double[][] detCurve() {
        double[] t = candidateThresholds();
        double[][] pts = new double[t.length][];
        for (int i = 0; i < t.length; i++) {
            pts[i] = new double[] {far(t[i]), frr(t[i]), t[i]};
        }
        return pts;
    }

    /** Index of the first element >= t in an ascending array (= the number of elements below t). */
    static int lowerBound(double[] a, double t) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}

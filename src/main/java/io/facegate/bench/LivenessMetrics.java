package io.facegate.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Presentation-attack detection error rates as ISO/IEC 30107-3 defines them, from live probabilities. A
 * presentation is classified live when its score is at least the threshold.
 * <ul>
 *   <li>APCER of a kind (presentation-attack instrument species): share of that kind's attack presentations
 *   classified live;</li>
 *   <li>worst APCER: the highest over the kinds (the standard reports the most successful species);</li>
 *   <li>BPCER: share of live (bona fide) presentations classified as attacks;</li>
 *   <li>ACER: (worst APCER + BPCER) / 2.</li>
 * </ul>
 * Rates with nothing to count (no attack of any kind) are NaN.
 */
public final class LivenessMetrics {
    private final double[] live;                     // ascending
    private final Map<String, double[]> spoofByKind; // each ascending

    /**
     * @param live        scores of live presentations (at least one)
     * @param spoofByKind scores of attack presentations by kind; may be empty (calibration from live frames only)
     */
    public LivenessMetrics(double[] live, Map<String, double[]> spoofByKind) {
        if (live.length == 0) {
            throw new IllegalArgumentException("need at least one live presentation with a score");
        }
        this.live = sortedFinite(live, "live");
        this.spoofByKind = new LinkedHashMap<>();
        spoofByKind.forEach((kind, s) -> {
            if (s.length > 0) {
                this.spoofByKind.put(kind, sortedFinite(s, "spoof/" + kind));
            }
        });
    }

    private static double[] sortedFinite(double[] a, String what) {
        double[] c = a.clone();
        for (double v : c) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + ": a score is not a number");
            }
        }
        Arrays.sort(c);
        return c;
    }

    /** Share of the kind's attacks classified live at {@code t}; NaN for a kind without attacks. */
    public double apcer(String kind, double t) {
        double[] s = spoofByKind.get(kind);
        return s == null ? Double.NaN : atOrAbove(s, t) / (double) s.length;
    }

    /** The highest APCER over the kinds at {@code t}; NaN without attacks. */
    public double worstApcer(double t) {
        double worst = Double.NaN;
        for (String kind : spoofByKind.keySet()) {
            double a = apcer(kind, t);
            worst = Double.isNaN(worst) ? a : Math.max(worst, a);
        }
        return worst;
    }

    /** The kind with the highest APCER at {@code t} (the first on a tie); null without attacks. */
    public String worstKind(double t) {
        String worst = null;
        for (String kind : spoofByKind.keySet()) {
            if (worst == null || apcer(kind, t) > apcer(worst, t)) {
                worst = kind;
            }
        }
        return worst;
    }

    /** Share of live presentations classified as attacks at {@code t}. */
    public double bpcer(double t) {
        return VerificationMetrics.lowerBound(live, t) / (double) live.length;
    }

    /** (worst APCER + BPCER) / 2; NaN without attacks. */
    public double acer(double t) {
        return (worstApcer(t) + bpcer(t)) / 2;
    }

    /**
     * The highest threshold whose BPCER is at most {@code target}: at most {@code floor(target * live)} live
     * presentations fall below it.
     */
    public double thresholdForBpcer(double target) {
        if (!(target >= 0 && target < 1)) {
            throw new IllegalArgumentException("target BPCER must be in [0, 1)");
        }
        int allowed = (int) Math.floor(target * live.length + 1e-9);
        return live[Math.min(allowed, live.length - 1)];
    }

    /**
     * The lowest threshold at which every kind's APCER is at most {@code target}; NaN without attacks.
     */
    public double thresholdForApcer(double target) {
        double t = Double.NaN;
        for (double[] s : spoofByKind.values()) {
            int allowed = (int) Math.floor(target * s.length + 1e-9);
            // accept only scores above the (allowed+1)-th highest attack score of this kind
            double kindT = allowed >= s.length ? Double.NEGATIVE_INFINITY : Math.nextUp(s[s.length - 1 - allowed]);
            t = Double.isNaN(t) ? kindT : Math.max(t, kindT);
        }
        return t;
    }

    /** BPCER at the lowest threshold that keeps every kind's APCER at most {@code target}; NaN without attacks. */
    public double bpcerAtApcer(double target) {
        double t = thresholdForApcer(target);
        return Double.isNaN(t) ? Double.NaN : bpcer(t);
    }

    /**
     * Area under the ROC curve of live against all attacks pooled: P(live scores above attack) + P(tie) / 2; NaN
     * without attacks.
     */
    public double auc() {
        return spoofByKind.isEmpty() ? Double.NaN : pooled().auc();
    }

    /** Live as "genuine" and pooled attacks as "impostor" scores: FAR is the pooled APCER, FRR the BPCER. */
    public VerificationMetrics pooled() {
        double[] all = spoofByKind.values().stream().flatMapToDouble(Arrays::stream).toArray();
        return new VerificationMetrics(live, all);
    }

    public int liveCount() {
        return live.length;
    }

    /** Attack presentations with a score, by kind. */
    public Map<String, Integer> spoofCounts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        spoofByKind.forEach((k, s) -> m.put(k, s.length));
        return m;
    }

    public boolean hasAttacks() {
        return !spoofByKind.isEmpty();
    }

    private static int atOrAbove(double[] ascending, double t) {
        return ascending.length - VerificationMetrics.lowerBound(ascending, t);
    }
}

package io.facegate.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Nearest-rank percentiles of a sample, for latency reports. */
public final class Percentiles {
    private Percentiles() {
    }

    public static double of(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    /** {@code {"p50": .., "p90": ..}} rounded to microseconds. */
    public static Map<String, Double> p50p90(double[] millis) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", round3(of(millis, 50)));
        m.put("p90", round3(of(millis, 90)));
        return m;
    }

    public static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

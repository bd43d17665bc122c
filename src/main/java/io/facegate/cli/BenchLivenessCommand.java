package io.facegate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.bench.DetPlot;
import io.facegate.bench.LivenessDataset;
import io.facegate.bench.LivenessMetrics;
import io.facegate.bench.LivenessScores;
import io.facegate.bench.Progress;
import io.facegate.config.FacegateConfig;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code facegate bench liveness}: presentation-attack detection measured as ISO/IEC 30107-3 reports it, on the
 * door's own scoring path and its configured threshold.
 */
@Command(name = "liveness", mixinStandardHelpOptions = true,
        description = {"Presentation-attack detection (ISO/IEC 30107-3) on DIR/live/ and DIR/spoof/ (or"
                + " DIR/spoof/<kind>/, reported per kind): APCER per kind and the worst, BPCER, ACER at"
                + " access.liveness_threshold; AUC; BPCER at APCER 1/5/10%; the threshold for a target BPCER."
                + " One face per photo, scored as the door scores a frame; photos without a face are counted"
                + " (no_face) and left out of the rates."})
public final class BenchLivenessCommand implements Callable<Integer> {
    static final double[] APCER_TARGETS = {0.01, 0.05, 0.10};

    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "Folder with live/ and spoof/.")
    Path dataset;

    @Option(names = "--json", description = "Print exactly one JSON object on standard output.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write a DET curve (APCER pooled over kinds"
            + " against BPCER).")
    Path plot;

    @Option(names = "--target-bpcer", defaultValue = "0.02", paramLabel = "RATE",
            description = "Report the threshold that refuses at most this share of live photos (default:"
                    + " ${DEFAULT-VALUE}).")
    double targetBpcer;

    @Mixin
    DecisionOptions options;

    @Override
    public Integer call() throws Exception {
        if (!(targetBpcer >= 0 && targetBpcer < 1)) {
            System.err.println("bench liveness: --target-bpcer must be in [0, 1)");
            return 2;
        }
        FacegateConfig cfg = options.facegate();
        LivenessDataset data = LivenessDataset.load(dataset);
        LivenessScores scores;
        try (FacePipeline pipeline = FacePipeline.open(cfg.vision())) {
            scores = LivenessScores.of(pipeline, data,
                    new Progress("liveness", data.live().size() + data.spoofCount()));
        }
        if (scores.liveScored() == 0) {
            System.err.println("bench liveness: no face found in any live photo of " + dataset);
            return 2;
        }
        LivenessMetrics m = scores.metrics();
        double t = cfg.access().livenessThreshold();
        Map<String, Object> r = report(scores, m, t, targetBpcer);
        r.put("dataset", dataset.toString());
        if (plot != null && m.hasAttacks()) {
            DetPlot.write(plot, m.pooled(), String.format(Locale.ROOT, "liveness DET: %s (%d live, %d attacks)",
                            dataset.getFileName(), m.liveCount(), scores.spoofScored()),
                    "APCER (attacks accepted as live, pooled), log", "BPCER (live refused), log");
        }
        print(r);
        return 0;
    }

    static Map<String, Object> report(LivenessScores s, LivenessMetrics m, double t, double targetBpcer) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("live", s.liveScored());
        r.put("spoof", s.spoofScored());
        r.put("spoof_by_kind", m.spoofCounts());
        r.put("no_face", Map.of("live", s.liveNoFace(), "spoof", s.spoofNoFace()));
        r.put("unreadable", s.unreadable());
        r.put("threshold", t);
        Map<String, Object> apcer = new LinkedHashMap<>();
        for (String kind : m.spoofCounts().keySet()) {
            apcer.put(kind, round(m.apcer(kind, t)));
        }
        apcer.put("worst", num(m.worstApcer(t)));
        r.put("apcer", apcer);
        r.put("worst_kind", m.worstKind(t));
        r.put("bpcer", round(m.bpcer(t)));
        r.put("acer", num(m.acer(t)));
        r.put("auc", num(m.auc()));
        Map<String, Object> atApcer = new LinkedHashMap<>();
        for (double a : APCER_TARGETS) {
            atApcer.put(String.format(Locale.ROOT, "%.2f", a), num(m.bpcerAtApcer(a)));
        }
        r.put("bpcer_at_apcer", atApcer);
        double tb = m.thresholdForBpcer(targetBpcer);
        r.put("target_bpcer", targetBpcer);
        r.put("threshold_for_target_bpcer", round(tb));
        r.put("bpcer_at_that_threshold", round(m.bpcer(tb)));
        r.put("worst_apcer_at_that_threshold", num(m.worstApcer(tb)));
        return r;
    }

    private void print(Map<String, Object> r) throws Exception {
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
            return;
        }
        System.out.printf(Locale.ROOT, "dataset            %s%n", r.get("dataset"));
        System.out.printf(Locale.ROOT, "scored             %s live, %s attacks %s%n", r.get("live"), r.get("spoof"),
                r.get("spoof_by_kind"));
        System.out.printf(Locale.ROOT, "no face            %s (left out of the rates); unreadable %s%n",
                r.get("no_face"), r.get("unreadable"));
        System.out.printf(Locale.ROOT, "at threshold %s:%n", r.get("threshold"));
        System.out.printf(Locale.ROOT, "  APCER            %s (worst: %s)%n", r.get("apcer"), r.get("worst_kind"));
        System.out.printf(Locale.ROOT, "  BPCER            %s%n", r.get("bpcer"));
        System.out.printf(Locale.ROOT, "  ACER             %s%n", orNa(r.get("acer")));
        System.out.printf(Locale.ROOT, "AUC                %s%n", orNa(r.get("auc")));
        System.out.printf(Locale.ROOT, "BPCER at APCER     %s%n", r.get("bpcer_at_apcer"));
        System.out.printf(Locale.ROOT, "for BPCER <= %s: threshold %s (BPCER %s, worst APCER %s)%n",
                r.get("target_bpcer"), r.get("threshold_for_target_bpcer"), r.get("bpcer_at_that_threshold"),
                orNa(r.get("worst_apcer_at_that_threshold")));
    }

    private static Object orNa(Object o) {
        return o == null ? "n/a (no attacks)" : o;
    }

    /** A rate rounded to 4 decimals; null (JSON null) when there is nothing to count. */
    static Double num(double v) {
        return Double.isNaN(v) ? null : round(v);
    }

    static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}

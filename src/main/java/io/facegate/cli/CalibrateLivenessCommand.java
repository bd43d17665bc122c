package io.facegate.cli;

import io.facegate.bench.LivenessDataset;
import io.facegate.bench.LivenessMetrics;
import io.facegate.bench.LivenessScores;
import io.facegate.bench.Progress;
import io.facegate.config.ConfigEdit;
import io.facegate.config.FacegateConfig;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code facegate calibrate liveness}: the liveness threshold for this site's camera and light, from live frames of
 * the site's own people (e.g. captured by the daemon with {@code admin capture}), written into the configuration.
 */
@Command(name = "liveness", mixinStandardHelpOptions = true,
        description = {"Sets access.liveness_threshold from live frames of this site's people (DIR: face crops or"
                + " frames, e.g. from `admin capture`): the highest threshold that refuses at most --target-bpcer of"
                + " them. With --config FILE the key is written into FILE (the rest of it kept; the old file saved as"
                + " FILE.bak); without, nothing is written. --attacks DIR (images, or one sub-folder per kind)"
                + " reports what the new threshold would let through."})
public final class CalibrateLivenessCommand implements Callable<Integer> {
    static final String KEY = "liveness_threshold";

    @Option(names = "--live", required = true, paramLabel = "DIR",
            description = "Live frames of the site's people (any depth); repeat to pool folders.")
    List<Path> live;

    @Option(names = "--target-bpcer", defaultValue = "0.02", paramLabel = "RATE",
            description = "Share of live frames the threshold may refuse (default: ${DEFAULT-VALUE}).")
    double targetBpcer;

    @Option(names = "--attacks", paramLabel = "DIR", description = "Attack photos (loose, or spoof/<kind>/ style"
            + " sub-folders): the APCER to expect is printed.")
    Path attacks;

    @Mixin
    DecisionOptions options;

    @Override
    public Integer call() throws Exception {
        if (!(targetBpcer > 0 && targetBpcer < 0.5)) {
            System.err.println("calibrate liveness: --target-bpcer must be in (0, 0.5)");
            return 2;
        }
        FacegateConfig cfg = options.facegate(); // a configuration that does not load fails here, before any work
        List<Path> photos = new ArrayList<>();
        for (Path dir : live) {
            photos.addAll(LivenessDataset.images(dir));
        }
        Map<String, List<Path>> attackKinds = attacks == null ? Map.of() : LivenessDataset.kinds(attacks);
        LivenessScores scores;
        LivenessScores attackScores = null;
        try (FacePipeline pipeline = FacePipeline.open(cfg.vision())) {
            scores = LivenessScores.ofLive(pipeline, photos, new Progress("live frames", photos.size()));
            if (!attackKinds.isEmpty()) {
                int n = attackKinds.values().stream().mapToInt(List::size).sum();
                attackScores = LivenessScores.of(pipeline, new LivenessDataset(attacks, photos, attackKinds),
                        new Progress("live + attacks", photos.size() + n));
            }
        }
        int needed = (int) Math.ceil(1 / targetBpcer);
        System.out.printf(Locale.ROOT, "%d live frames scored; %d without a face, %d unreadable (left out)%n",
                scores.liveScored(), scores.liveNoFace(), scores.unreadable());
        if (scores.liveScored() < needed) {
            System.err.printf(Locale.ROOT, "calibrate liveness: %d live faces are too few to measure a BPCER of %.3f"
                    + " (need at least %d; a few hundred are better); nothing written%n", scores.liveScored(),
                    targetBpcer, needed);
            return 2;
        }
        LivenessMetrics m = scores.metrics();
        double threshold = Math.floor(m.thresholdForBpcer(targetBpcer) * 1e4) / 1e4; // rounded down: BPCER holds
        System.out.printf(Locale.ROOT, "threshold %.4f: refuses %.1f%% of these live frames (target %.1f%%)%n",
                threshold, 100 * m.bpcer(threshold), 100 * targetBpcer);
        if (attackScores != null && attackScores.spoofScored() > 0) {
            LivenessMetrics am = attackScores.metrics();
            Map<String, String> perKind = new LinkedHashMap<>();
            for (String kind : am.spoofCounts().keySet()) {
                perKind.put(kind, String.format(Locale.ROOT, "%.1f%%", 100 * am.apcer(kind, threshold)));
            }
            System.out.printf(Locale.ROOT, "expected APCER at it (attacks accepted as live): %s, worst %.1f%%;"
                    + " ACER %.1f%%; %d attack photo(s) without a face%n", perKind, 100 * am.worstApcer(threshold),
                    100 * am.acer(threshold), attackScores.spoofNoFace());
        } else {
            System.out.println("no attack set given (--attacks): what this threshold lets through is not measured");
        }
        if (threshold < 0.1) {
            System.out.println("warning: the model scores this site's live faces low; a threshold this low lets"
                    + " most attacks through. Check light and camera, and measure with `bench liveness`.");
        }
        if (options.config == null) {
            System.out.println("no --config given: nothing written (access." + KEY + ": " + fmt(threshold) + ")");
            return 0;
        }
        Path backup = ConfigEdit.setAccessKey(options.config, KEY, fmt(threshold),
                c -> c.access().livenessThreshold() == Double.parseDouble(fmt(threshold)));
        System.out.println("access." + KEY + ": " + fmt(threshold) + " written to " + options.config + " (previous"
                + " file: " + backup + "); restart the daemon to apply it");
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}

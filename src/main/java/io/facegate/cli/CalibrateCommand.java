package io.facegate.cli;

import io.facegate.access.DecisionRule;
import io.facegate.access.ScoreCalibration;
import io.facegate.bench.FaceDataset;
import io.facegate.bench.FaceProbe;
import io.facegate.bench.Progress;
import io.facegate.config.FacegateConfig;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code facegate calibrate}: measures how the installed embedding model scores genuine and impostor pairs on
 * labelled photos and writes the {@link ScoreCalibration} the decision rule turns into thresholds.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, subcommands = CalibrateLivenessCommand.class,
        description = {"Score calibration of the installed embedding model from labelled photos DIR/<person>/<photo>.",
                "Every pair of photos of different people is an impostor pair, of the same person a genuine one."
                + " Writes calibration.json beside the models (or --out), which the door and every benchmark turn"
                + " into a threshold for access.target_fpir and the gallery's size. More people make a better tail:"
                + " use hundreds of identities where you can. `calibrate liveness` sets the liveness threshold."})
public final class CalibrateCommand implements Callable<Integer> {
    static final double BIN = 0.001;
    static final double[] NORM_QUANTILES = {0.01, 0.02, 0.05, 0.10, 0.50};

    // not required for picocli: `calibrate liveness` has no --dataset; required here in call()
    @Option(names = "--dataset", paramLabel = "DIR",
            description = "Folder of <person>/<photo> (required); repeat to pool folders (people are told apart by"
                    + " folder).")
    List<Path> datasets;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write (default: calibration.json in the"
            + " models folder, where the daemon reads it).")
    Path out;

    @Mixin
    DecisionOptions options;

    @Override
    public Integer call() throws Exception {
        if (datasets == null || datasets.isEmpty()) {
            System.err.println("calibrate: --dataset DIR is required (or `calibrate liveness --live DIR`)");
            return 2;
        }
        FacegateConfig cfg = options.facegate();
        List<String> owner = new ArrayList<>();
        List<float[]> embeddings = new ArrayList<>();
        List<Double> norms = new ArrayList<>();
        int photos = 0;
        int people = 0;
        try (FacePipeline pipeline = options.openVision()) {
            for (Path dir : datasets) {
                FaceDataset ds = FaceDataset.load(dir);
                people += ds.people().size();
                List<FaceDataset.Photo> list = ds.photos();
                Progress bar = new Progress("embed " + dir.getFileName(), list.size());
                for (int i = 0; i < list.size(); i++) {
                    FaceDataset.Photo ph = list.get(i);
                    photos++;
                    try {
                        Optional<FaceProbe> probe = FaceProbe.largest(pipeline, ph.path());
                        if (probe.isPresent()) {
                            owner.add(dir.toAbsolutePath().normalize() + "/" + ph.person());
                            embeddings.add(probe.get().embedding());
                            norms.add(probe.get().quality().embeddingNorm());
                        }
                    } catch (ImageException e) {
                        System.err.println("\ncalibrate: " + e.getMessage());
                    }
                    bar.update(i + 1);
                }
            }
            int bins = (int) Math.round(2 / BIN) + 1;
            long[] impostor = new long[bins];
            long[] genuine = new long[bins];
            for (int i = 0; i < embeddings.size(); i++) {
                float[] a = embeddings.get(i);
                for (int j = i + 1; j < embeddings.size(); j++) {
                    int bin = (int) Math.floor((dot(a, embeddings.get(j)) + 1) / BIN);
                    bin = Math.max(0, Math.min(bins - 1, bin));
                    (owner.get(i).equals(owner.get(j)) ? genuine : impostor)[bin]++;
                }
            }
            Map<String, Double> q = new LinkedHashMap<>();
            double[] sorted = norms.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).sorted()
                    .toArray();
            if (sorted.length > 0) {
                for (double quantile : NORM_QUANTILES) {
                    q.put(String.format(Locale.ROOT, "%.2f", quantile),
                            sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]);
                }
            }
            String source = String.format(Locale.ROOT, "%s: %d people, %d photos with a face",
                    datasets, people, embeddings.size());
            ScoreCalibration cal;
            try {
                cal = ScoreCalibration.fromHistograms(pipeline.featureModel().id(),
                        pipeline.featureModel().sha256(), source, people, embeddings.size(), impostor, genuine, BIN,
                        q);
            } catch (IllegalArgumentException e) {
                System.err.println("calibrate: " + e.getMessage());
                return 2;
            }
            Path file = out != null ? out : cfg.access().calibrationIn(cfg.vision().modelsDir());
            cal.write(file);
            System.out.println("calibration written to " + file);
            System.out.printf(Locale.ROOT, "%s; %d impostor and %d genuine pairs; tail fit mu %.4f sigma %.4f%n",
                    source, cal.impostorPairs(), cal.genuinePairs(), cal.tailMu(), cal.tailSigma());
            System.out.println("score at FAR per comparison:");
            for (double far : new double[] {1e-3, 1e-4, 1e-5, 1e-6, 1e-7}) {
                double s = cal.scoreAtFar(far);
                System.out.printf(Locale.ROOT, "  FAR %.0e: score %.3f, genuine pairs below it %.1f%%%n", far, s,
                        100 * cal.frr(s));
            }
            DecisionRule rule = new DecisionRule(cfg.access(), cal);
            System.out.printf(Locale.ROOT, "with access.target_fpir %.0e:%n", cfg.access().targetFpir());
            for (int n : new int[] {10, 100, 1000, 10000}) {
                System.out.println("  " + rule.describe(n));
            }
            if (sorted.length > 0) {
                System.out.println("embedding norm quantiles: " + q + " (of " + sorted.length + " faces; "
                        + Arrays.stream(sorted).min().orElse(0) + " min)");
            }
        }
        return 0;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

package io.facegate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.facegate.bench.DetPlot;
import io.facegate.bench.FaceDataset;
import io.facegate.bench.Percentiles;
import io.facegate.bench.Progress;
import io.facegate.bench.VerificationMetrics;
import io.facegate.config.VisionConfig;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.Embeddings;
import io.facegate.vision.FaceDetector;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code facegate bench verify}: embeds every photo of a {@code <person>/<photo>} folder once, scores every pair and
 * reports verification accuracy and per-stage latency.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verification accuracy (AUC, EER, TAR at FAR) and per-stage latency on a folder of"
                + " DIR/<person>/<photo>.", "Every pair of photos is scored; a photo without a face scores -1."})
public final class BenchVerifyCommand implements Callable<Integer> {
    static final String[] STAGES = {"decode", "detect", "landmarks", "align", "embed", "liveness", "total"};
    private static final int WARMUP_PHOTOS = 3;
    /** JPEGs are decoded at reduced scale down to this shorter side (see Images.readForRecognition). */
    static final int RECOGNITION_SHORT_SIDE = 640;

    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "Folder of <person>/<photo>.")
    Path dataset;

    @Option(names = "--json", description = "Print exactly one JSON object on standard output.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write a DET curve with operating points.")
    Path plot;

    @Option(names = "--detect-padding", paramLabel = "MODE",
            description = "Override vision.detect_padding (adaptive, auto, always, never) to compare the modes.")
    String detectPadding;

    @Mixin
    VisionOptions vision;

    /** One photo's outcome: its embedding (null when no face) and stage times in milliseconds. */
    record Sample(String person, float[] embedding, double[] stageMs, double outsideOrtMs) {
    }

    @Override
    public Integer call() throws IOException {
        FaceDataset data = FaceDataset.load(dataset);
        List<FaceDataset.Photo> photos = data.photos();
        List<Sample> samples = new ArrayList<>();
        int unreadable = 0;
        VisionConfig config = detectPadding == null ? vision.config() : vision.config().withDetectPadding(detectPadding);
        try (FacePipeline pipeline = FacePipeline.open(config)) {
            for (int i = 0; i < Math.min(WARMUP_PHOTOS, photos.size()); i++) {
                measure(pipeline, photos.get(i));
            }
            Progress progress = new Progress("verify", photos.size());
            for (int i = 0; i < photos.size(); i++) {
                Sample s = measure(pipeline, photos.get(i));
                if (s.stageMs() == null) {
                    unreadable++;
                }
                samples.add(s);
                progress.update(i + 1);
            }
            Map<String, Object> report = report(samples, pipeline, unreadable);
            if (plot != null) {
                DetPlot.write(plot, metrics(samples), String.format(Locale.ROOT, "DET: %s (%d photos, %d people)",
                        dataset.getFileName(), photos.size(), data.people().size()));
            }
            print(report);
        }
        return 0;
    }

    private static Sample measure(FacePipeline pipeline, FaceDataset.Photo photo) {
        double[] ms = new double[STAGES.length];
        long t0 = System.nanoTime();
        Mat image;
        try {
            image = Images.readForRecognition(photo.path(), pipeline.config().maxImagePixels(), RECOGNITION_SHORT_SIDE);
        } catch (ImageException e) {
            System.err.println("\nverify: " + e.getMessage());
            return new Sample(photo.person(), null, null, 0);
        }
        try (image) {
            long t1 = System.nanoTime();
            long ort0 = pipeline.inferenceNanos();
            List<FaceDetector.Detection> boxes = pipeline.detectBoxes(image);
            long t2 = System.nanoTime();
            float[] embedding = null;
            long t3 = t2, t4 = t2, t5 = t2, t6 = t2;
            if (!boxes.isEmpty()) {
                DetectedFace face = pipeline.largest(image, boxes);
                t3 = System.nanoTime();
                try (Mat aligned = pipeline.align(image, face)) {
                    t4 = System.nanoTime();
                    embedding = pipeline.embedAligned(aligned);
                }
                t5 = System.nanoTime();
                pipeline.liveness(image, face);
                t6 = System.nanoTime();
            }
            long ort = pipeline.inferenceNanos() - ort0;
            long[] marks = {t0, t1, t2, t3, t4, t5, t6};
            for (int s = 0; s < 6; s++) {
                ms[s] = (marks[s + 1] - marks[s]) / 1e6;
            }
            ms[6] = (t6 - t0) / 1e6;
            return new Sample(photo.person(), embedding, ms, (t6 - t1 - ort) / 1e6);
        }
    }

    static VerificationMetrics metrics(List<Sample> samples) {
        List<Double> genuine = new ArrayList<>();
        List<Double> impostor = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            for (int j = i + 1; j < samples.size(); j++) {
                Sample a = samples.get(i);
                Sample b = samples.get(j);
                double score = a.embedding() == null || b.embedding() == null ? -1
                        : Embeddings.cosine(a.embedding(), b.embedding());
                (a.person().equals(b.person()) ? genuine : impostor).add(score);
            }
        }
        return new VerificationMetrics(genuine.stream().mapToDouble(Double::doubleValue).toArray(),
                impostor.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private Map<String, Object> report(List<Sample> samples, FacePipeline pipeline, int unreadable) {
        VerificationMetrics m = metrics(samples);
        VerificationMetrics.Eer eer = m.eer();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("dataset", dataset.toString());
        r.put("images", samples.size());
        r.put("unreadable", unreadable);
        r.put("faces_found", samples.stream().filter(s -> s.embedding() != null).count());
        r.put("genuine_pairs", m.genuineCount());
        r.put("impostor_pairs", m.impostorCount());
        r.put("auc", round(m.auc(), 6));
        r.put("eer", round(eer.rate(), 6));
        r.put("eer_threshold", round(eer.threshold(), 4));
        r.put("tar_at_far_1e-2", m.resolves(1e-2) ? round(m.tarAtFar(1e-2), 6) : null);
        r.put("tar_at_far_1e-3", m.resolves(1e-3) ? round(m.tarAtFar(1e-3), 6) : null);
        r.put("threshold_at_far_1e-3", m.resolves(1e-3) ? round(m.thresholdAtFar(1e-3), 4) : null);
        r.put("detect_padding", pipeline.config().detectPadding());
        r.put("provider", pipeline.provider());
        r.put("threads", pipeline.config().intraOpThreads());
        List<Sample> timed = samples.stream().filter(s -> s.stageMs() != null).toList();
        List<Sample> withFace = timed.stream().filter(s -> s.embedding() != null).toList();
        Map<String, Object> latency = new LinkedHashMap<>();
        for (int s = 0; s < STAGES.length; s++) {
            final int stage = s;
            // stages after detection only ran on photos with a face
            List<Sample> source = s >= 2 && s <= 5 ? withFace : timed;
            latency.put(STAGES[s], Percentiles.p50p90(source.stream().mapToDouble(x -> x.stageMs()[stage]).toArray()));
        }
        r.put("latency_ms", latency);
        // what facegate itself adds around ONNX Runtime (pre/post-processing, alignment), decode excluded
        r.put("outside_inference_fraction", round(Percentiles.of(withFace.stream()
                .mapToDouble(x -> x.outsideOrtMs() / (x.stageMs()[6] - x.stageMs()[0])).toArray(), 50), 4));
        // decode + detect + landmarks + align + embed: the work a comparable Node pipeline does per photo
        r.put("recognition_ms", Percentiles.p50p90(withFace.stream()
                .mapToDouble(x -> x.stageMs()[6] - x.stageMs()[5]).toArray()));
        return r;
    }

    private void print(Map<String, Object> r) throws IOException {
        if (json) {
            System.out.println(new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
            return;
        }
        System.out.printf(Locale.ROOT, "dataset            %s%n", r.get("dataset"));
        System.out.printf(Locale.ROOT, "images             %s (faces found %s, unreadable %s)%n", r.get("images"),
                r.get("faces_found"), r.get("unreadable"));
        System.out.printf(Locale.ROOT, "pairs              %s genuine, %s impostor%n", r.get("genuine_pairs"),
                r.get("impostor_pairs"));
        System.out.printf(Locale.ROOT, "AUC                %s%n", r.get("auc"));
        System.out.printf(Locale.ROOT, "EER                %s at threshold %s%n", r.get("eer"), r.get("eer_threshold"));
        System.out.printf(Locale.ROOT, "TAR at FAR 1e-2    %s%n", orNa(r.get("tar_at_far_1e-2")));
        System.out.printf(Locale.ROOT, "TAR at FAR 1e-3    %s (threshold %s)%n", orNa(r.get("tar_at_far_1e-3")),
                orNa(r.get("threshold_at_far_1e-3")));
        System.out.printf(Locale.ROOT, "provider           %s, %s thread(s)%n", r.get("provider"), r.get("threads"));
        System.out.printf(Locale.ROOT, "%-12s %9s %9s%n", "latency ms", "p50", "p90");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Double>> lat = (Map<String, Map<String, Double>>) r.get("latency_ms");
        lat.forEach((stage, p) -> System.out.printf(Locale.ROOT, "%-12s %9.3f %9.3f%n", stage, p.get("p50"), p.get("p90")));
        System.out.printf(Locale.ROOT, "time outside ONNX Runtime (decode excluded): %.1f%% of the pipeline%n",
                100 * (Double) r.get("outside_inference_fraction"));
    }

    private static String orNa(Object o) {
        return o == null ? "n/a (too few impostor pairs)" : o.toString();
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

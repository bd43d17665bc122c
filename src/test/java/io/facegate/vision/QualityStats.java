package io.facegate.vision;

import io.facegate.image.Images;
import io.facegate.image.ImageException;
import io.facegate.bench.FaceDataset;
import io.facegate.bench.Percentiles;
import io.facegate.bench.VerificationMetrics;
import io.facegate.config.VisionConfig;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * {@code main DIR [MODELS]}: how the quality measures of {@link FaceQuality} relate to verification errors on a
 * {@code <person>/<photo>} folder. Prints, for each measure, the 5% and 50% quantiles over all faces, over the faces
 * in false non-matches and false matches at the equal-error threshold, and over the faces in the hardest pairs
 * (the lowest 5% of genuine scores, the highest 1% of impostor scores); then the EER after leaving out the 5% of
 * photos lowest on each measure. A measurement tool for choosing gates, not a test: it asserts nothing.
 */
public final class QualityStats {
    private record Face(String person, float[] embedding, FaceQuality q) {
    }

    private static final List<String> NAMES = List.of("norm", "sharpness", "contrast", "eye_px", "|yaw|", "|pitch|",
            "|roll|", "residual");
    private static final List<ToDoubleFunction<FaceQuality>> MEASURES = List.of(FaceQuality::embeddingNorm,
            FaceQuality::sharpness, FaceQuality::contrast, FaceQuality::interEyeDistancePx,
            q -> Math.abs(q.yawDegrees()), q -> Math.abs(q.pitchDegrees()), q -> Math.abs(q.rollDegrees()),
            FaceQuality::alignmentResidual);
    /** Measures where a low value is the bad end (for the leave-out check); the others are bad when high. */
    private static final List<Boolean> LOW_IS_BAD = List.of(true, true, true, true, false, false, false, false);

    private QualityStats() {
    }

    public static void main(String[] args) throws IOException, ImageException {
        Path dir = Path.of(args[0]);
        VisionConfig config = VisionConfig.defaults().withModelsDir(Path.of(args.length > 1 ? args[1] : "models"));
        List<Face> faces = new ArrayList<>();
        int noFace = 0;
        try (FacePipeline pipeline = FacePipeline.open(config)) {
            for (FaceDataset.Photo photo : FaceDataset.load(dir).photos()) {
                try (Mat image = Images.readForRecognition(photo.path(), config.maxImagePixels(), 640)) {
                    List<DetectedFace> found = pipeline.detect(image);
                    if (found.isEmpty()) {
                        noFace++;
                        continue;
                    }
                    FaceSample s = pipeline.embedWithQuality(image, found.get(0));
                    faces.add(new Face(photo.person(), s.embedding(), s.quality()));
                }
            }
        }
        List<int[]> genuine = new ArrayList<>();
        List<int[]> impostor = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            for (int j = i + 1; j < faces.size(); j++) {
                (faces.get(i).person().equals(faces.get(j).person()) ? genuine : impostor).add(new int[] {i, j});
            }
        }
        double eerThreshold = metrics(faces, genuine, impostor).eer().threshold();
        double[] gs = scores(faces, genuine);
        double[] is = scores(faces, impostor);
        double hardGenuine = Percentiles.of(gs, 5);
        double hardImpostor = Percentiles.of(is, 99);
        System.out.printf(Locale.ROOT, "%s: %d faces (%d photos without a face), EER %.5f at %.4f%n", dir,
                faces.size(), noFace, metrics(faces, genuine, impostor).eer().rate(), eerThreshold);
        Set<Integer> all = new LinkedHashSet<>();
        for (int i = 0; i < faces.size(); i++) {
            all.add(i);
        }
        Set<Integer> fnm = in(genuine, gs, s -> s < eerThreshold);
        Set<Integer> fm = in(impostor, is, s -> s >= eerThreshold);
        Set<Integer> hardG = in(genuine, gs, s -> s <= hardGenuine);
        Set<Integer> hardI = in(impostor, is, s -> s >= hardImpostor);
        System.out.printf(Locale.ROOT, "%-10s %16s %16s %16s %16s %16s%n", "p5 / p50", "all (" + all.size() + ")",
                "FNM@EER (" + fnm.size() + ")", "FM@EER (" + fm.size() + ")", "gen low5% (" + hardG.size() + ")",
                "imp top1% (" + hardI.size() + ")");
        for (int m = 0; m < MEASURES.size(); m++) {
            System.out.printf(Locale.ROOT, "%-10s %16s %16s %16s %16s %16s%n", NAMES.get(m), q(faces, all, m),
                    q(faces, fnm, m), q(faces, fm, m), q(faces, hardG, m), q(faces, hardI, m));
        }
        System.out.println("EER after leaving out the 5% of photos worst on one measure:");
        for (int m = 0; m < MEASURES.size(); m++) {
            double[] v = values(faces, all, m);
            boolean lowBad = LOW_IS_BAD.get(m);
            double cut = Percentiles.of(v, lowBad ? 5 : 95);
            final int mm = m;
            List<int[]> g = keep(genuine, faces, f -> lowBad ? value(f, mm) >= cut : value(f, mm) <= cut);
            List<int[]> im = keep(impostor, faces, f -> lowBad ? value(f, mm) >= cut : value(f, mm) <= cut);
            VerificationMetrics kept = metrics(faces, g, im);
            System.out.printf(Locale.ROOT, "  %-10s cut %s %.3f: EER %.5f (genuine pairs below the old EER threshold %d -> %d, "
                            + "impostor pairs above %d -> %d)%n", NAMES.get(m), lowBad ? "<" : ">", cut,
                    kept.eer().rate(), countBelow(faces, genuine, eerThreshold), countBelow(faces, g, eerThreshold),
                    countAbove(faces, impostor, eerThreshold), countAbove(faces, im, eerThreshold));
        }
    }

    private static double value(Face f, int m) {
        return MEASURES.get(m).applyAsDouble(f.q());
    }

    private static double[] values(List<Face> faces, Set<Integer> which, int m) {
        return which.stream().mapToDouble(i -> value(faces.get(i), m)).filter(Double::isFinite).toArray();
    }

    private static String q(List<Face> faces, Set<Integer> which, int m) {
        double[] v = values(faces, which, m);
        return v.length == 0 ? "-" : String.format(Locale.ROOT, "%.2f / %.2f", Percentiles.of(v, 5),
                Percentiles.of(v, 50));
    }

    private static double[] scores(List<Face> faces, List<int[]> pairs) {
        return pairs.stream().mapToDouble(p -> Embeddings.cosine(faces.get(p[0]).embedding(),
                faces.get(p[1]).embedding())).toArray();
    }

    private static VerificationMetrics metrics(List<Face> faces, List<int[]> genuine, List<int[]> impostor) {
        return new VerificationMetrics(scores(faces, genuine), scores(faces, impostor));
    }

    private static Set<Integer> in(List<int[]> pairs, double[] scores, java.util.function.DoublePredicate error) {
        Set<Integer> out = new LinkedHashSet<>();
        for (int k = 0; k < pairs.size(); k++) {
            if (error.test(scores[k])) {
                out.add(pairs.get(k)[0]);
                out.add(pairs.get(k)[1]);
            }
        }
        return out;
    }

    private static List<int[]> keep(List<int[]> pairs, List<Face> faces, java.util.function.Predicate<Face> ok) {
        return pairs.stream().filter(p -> ok.test(faces.get(p[0])) && ok.test(faces.get(p[1]))).toList();
    }

    private static long countBelow(List<Face> faces, List<int[]> pairs, double t) {
        return java.util.Arrays.stream(scores(faces, pairs)).filter(s -> s < t).count();
    }

    private static long countAbove(List<Face> faces, List<int[]> pairs, double t) {
        return java.util.Arrays.stream(scores(faces, pairs)).filter(s -> s >= t).count();
    }
}

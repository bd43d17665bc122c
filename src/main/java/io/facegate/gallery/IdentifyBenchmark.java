package io.facegate.gallery;

import io.facegate.bench.FaceDataset;
import io.facegate.bench.Progress;
import io.facegate.config.GalleryConfig;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.vision.ImageException;
import io.facegate.vision.Images;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code facegate bench identify}: open-set 1:N identification on a folder of people. People are sorted by folder
 * name; the 1st, 3rd, 5th... are enrolled (through the real {@link Enroller}, gates included) with their first K
 * photos sorted by file name, the others are strangers. Every other photo is a probe: mated when its person is
 * enrolled, non-mated otherwise. The same probes are searched with the float32 and the int8 matrix.
 */
public final class IdentifyBenchmark {
    public record Params(Path dataset, int enroll, GalleryConfig gallery, Path workDir) {
    }

    private record Probe(String truth, boolean mated, float[] embedding) {
    }

    private IdentifyBenchmark() {
    }

    public static Map<String, Object> run(FacePipeline pipeline, Params p) throws IOException {
        FaceDataset ds = FaceDataset.load(p.dataset());
        Path dir = Files.createTempDirectory(p.workDir(), "bench-identify-");
        try {
            GalleryConfig cfg = p.gallery().withDataDir(dir);
            Map<String, Object> out = new LinkedHashMap<>();
            List<String> refused = new ArrayList<>();
            List<Path> probePhotos = new ArrayList<>();
            List<String> probeTruth = new ArrayList<>();
            List<Boolean> probeMated = new ArrayList<>();
            int enrolledPeople = 0;
            int templates = 0;
            try (Gallery g = Gallery.open(cfg, pipeline.featureModel())) {
                Enroller enroller = new Enroller(pipeline, g);
                Progress bar = new Progress("enroll", (ds.people().size() + 1) / 2);
                for (int i = 0; i < ds.people().size(); i++) {
                    FaceDataset.Person person = ds.people().get(i);
                    boolean enrolled = i % 2 == 0;
                    List<Path> photos = person.photos();
                    int k = enrolled ? Math.min(p.enroll(), photos.size()) : 0;
                    if (enrolled) {
                        Enroller.Outcome o = enroller.enroll(Person.of(person.name(), person.name(), null),
                                photos.subList(0, k), false);
                        for (Enroller.PhotoOutcome po : o.photos()) {
                            if (!po.accepted()) {
                                refused.add(p.dataset().relativize(Path.of(po.source())) + ": " + po.rejection()
                                        + ": " + po.message());
                            }
                        }
                        if (o.accepted() > 0) {
                            enrolledPeople++;
                            templates += o.accepted();
                        }
                        bar.update(i / 2 + 1);
                    }
                    for (Path ph : photos.subList(k, photos.size())) {
                        probePhotos.add(ph);
                        probeTruth.add(person.name());
                        probeMated.add(enrolled);
                    }
                }
            }
            List<Probe> probes = new ArrayList<>();
            int withoutFace = 0;
            Progress bar = new Progress("probes", probePhotos.size());
            for (int i = 0; i < probePhotos.size(); i++) {
                float[] e = null;
                try (Mat m = Images.read(probePhotos.get(i), pipeline.config().maxImagePixels())) {
                    List<DetectedFace> faces = pipeline.detect(m);
                    if (!faces.isEmpty()) {
                        e = pipeline.embed(m, faces.get(0));
                    }
                } catch (ImageException ex) {
                    refused.add("probe " + probePhotos.get(i) + ": " + ex.getMessage());
                }
                if (e == null) {
                    withoutFace++;
                }
                probes.add(new Probe(probeTruth.get(i), probeMated.get(i), e));
                bar.update(i + 1);
            }
            Map<String, Object> f32;
            Map<String, Object> i8;
            try (Gallery g = Gallery.open(cfg.withInt8(false), pipeline.featureModel())) {
                f32 = metrics(g, probes);
            }
            try (Gallery g = Gallery.open(cfg.withInt8(true), pipeline.featureModel())) {
                i8 = metrics(g, probes);
            }
            out.put("dataset", p.dataset().toString());
            out.put("people", ds.people().size());
            out.put("enroll_per_person", p.enroll());
            out.put("enrolled_people", enrolledPeople);
            out.put("enrolled_templates", templates);
            out.put("mated_probes", probes.stream().filter(Probe::mated).count());
            out.put("nonmated_probes", probes.stream().filter(q -> !q.mated()).count());
            out.put("probes_without_face", withoutFace);
            out.put("form", cfg.int8() ? "int8" : "float32");
            out.putAll(cfg.int8() ? i8 : f32);
            out.put("float32", f32);
            out.put("int8", i8);
            out.put("refused", refused);
            return out;
        } finally {
            SearchBenchmark.deleteTree(dir);
        }
    }

    private static Map<String, Object> metrics(Gallery g, List<Probe> probes) {
        GalleryConfig cfg = g.config();
        int mated = 0;
        int nonmated = 0;
        int rank1 = 0;
        int falseAccepts = 0;
        int misses = 0;
        double maxNonmated = Double.NEGATIVE_INFINITY;
        List<Double> correctScores = new ArrayList<>(); // score of mated probes whose rank-1 candidate is right
        List<Double> nonmatedScores = new ArrayList<>();
        for (Probe pr : probes) {
            MatchResult r = pr.embedding() == null ? MatchResult.EMPTY : g.identify(pr.embedding());
            if (pr.mated()) {
                mated++;
                boolean right = pr.truth().equals(r.candidateId());
                if (right) {
                    rank1++;
                    correctScores.add(r.score());
                }
                if (!(r.matched() && pr.truth().equals(r.personId()))) {
                    misses++;
                }
            } else {
                nonmated++;
                if (r.matched()) {
                    falseAccepts++;
                }
                if (r.candidateId() != null) {
                    nonmatedScores.add(r.score());
                    maxNonmated = Math.max(maxNonmated, r.score());
                }
            }
        }
        // Smallest threshold whose FPIR (score only) is <= 1e-2.
        nonmatedScores.sort(null);
        int allowed = (int) Math.floor(0.01 * nonmated);
        double tFpir = nonmatedScores.isEmpty() ? -1
                : Math.nextUp(nonmatedScores.get(Math.max(0, nonmatedScores.size() - 1 - allowed)));
        long missAtFpir = mated - correctScores.stream().filter(s -> s >= tFpir).count();
        double minCorrect = correctScores.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rank1", ratio(rank1, mated));
        m.put("fnir_at_fpir_1e-2", ratio((int) missAtFpir, mated));
        m.put("threshold_at_fpir_1e-2", SearchBenchmark.round(tFpir, 4));
        m.put("threshold", cfg.threshold());
        m.put("min_margin", cfg.minMargin());
        m.put("fpir_at_threshold", ratio(falseAccepts, nonmated));
        m.put("fnir_at_threshold", ratio(misses, mated));
        m.put("strangers_accepted", falseAccepts);
        m.put("max_nonmated_score", SearchBenchmark.round(maxNonmated, 4));
        m.put("min_mated_rank1_score", SearchBenchmark.round(minCorrect, 4));
        return m;
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : SearchBenchmark.round((double) a / b, 4);
    }
}

package io.facegate.bench;

import io.facegate.access.Candidate;
import io.facegate.access.DecisionRule;
import io.facegate.config.GalleryConfig;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code facegate bench identify}: open-set 1:N identification on a folder of people, judged by the door's own
 * {@link DecisionRule} (threshold for the gallery's size from {@code access.target_fpir}, margin, quality gates).
 * People are sorted by folder name; the 1st, 3rd, 5th... are enrolled (through the real {@link Enroller}, gates
 * included) with their first K photos sorted by file name, the others are strangers. Every other photo is a probe:
 * mated when its person is enrolled, non-mated otherwise. A probe is one photo, i.e. one visit's evidence fused
 * into one embedding; the daemon fuses a track's frames into the same kind of probe.
 *
 * <p>Memory stays bounded by the number of probes times a few numbers: embeddings are searched as they are made
 * and dropped.
 */
public final class IdentifyBenchmark {
    public record Params(Path dataset, int enroll, GalleryConfig gallery, DecisionRule rule, Path workDir,
                         Path plot) {
    }

    /**
     * One probe's outcome.
     *
     * @param mated   its person is enrolled
     * @param score   best candidate's score, or -2 when it cannot be accepted at any threshold (no face, a quality
     *                gate, too small a margin, or for a mated probe the wrong person ranked first)
     * @param matched accepted by the rule at the threshold for this gallery (for a mated probe: as the right person)
     * @param wrongPerson a mated probe accepted as someone else: the door would open, for the wrong name
     */
    record Outcome(boolean mated, double score, boolean matched, boolean wrongPerson) {
    }

    private static final double NEVER = -2;

    private IdentifyBenchmark() {
    }

    public static Map<String, Object> run(FacePipeline pipeline, Params p) throws IOException {
        FaceDataset ds = FaceDataset.load(p.dataset());
        Path dir = Files.createTempDirectory(p.workDir(), "bench-identify-");
        try {
            GalleryConfig cfg = p.gallery().withDataDir(dir);
            List<String> refused = new ArrayList<>();
            List<Outcome> outcomes = new ArrayList<>();
            int enrolledPeople = 0;
            int noFace = 0;
            int poorQuality = 0;
            DecisionRule rule = p.rule();
            try (Gallery g = Gallery.open(cfg, pipeline.featureModel())) {
                Enroller enroller = new Enroller(pipeline, g);
                Progress bar = new Progress("enroll", (ds.people().size() + 1) / 2);
                List<Path> probes = new ArrayList<>();
                List<String> truth = new ArrayList<>();
                List<Boolean> mated = new ArrayList<>();
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
                                refused.add(p.dataset().relativize(Path.of(po.source())) + ": " + po.rejection());
                            }
                        }
                        if (o.accepted() > 0) {
                            enrolledPeople++;
                        }
                        bar.update(i / 2 + 1);
                    }
                    for (Path ph : photos.subList(k, photos.size())) {
                        probes.add(ph);
                        truth.add(person.name());
                        mated.add(enrolled && g.person(person.name()).isPresent());
                    }
                }
                int templates = g.searchedTemplates();
                Progress probeBar = new Progress("probes", probes.size());
                for (int i = 0; i < probes.size(); i++) {
                    Optional<FaceProbe> probe;
                    try {
                        probe = FaceProbe.largest(pipeline, probes.get(i));
                    } catch (ImageException ex) {
                        refused.add("probe " + probes.get(i) + ": " + ex.getMessage());
                        probe = Optional.empty();
                    }
                    boolean m = mated.get(i);
                    if (probe.isEmpty()) {
                        noFace++;
                        outcomes.add(new Outcome(m, NEVER, false, false));
                    } else if (rule.qualityProblem(probe.get().quality()).isPresent()) {
                        poorQuality++;
                        outcomes.add(new Outcome(m, NEVER, false, false));
                    } else {
                        outcomes.add(judge(rule, g, probe.get().embedding(), truth.get(i), m, templates));
                    }
                    probeBar.update(i + 1);
                }
                return report(p, ds, rule, templates, enrolledPeople, noFace, poorQuality, outcomes, refused, g);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** The door's rule on one probe, plus the score the DET curve needs. */
    static Outcome judge(DecisionRule rule, Gallery g, float[] probe, String truth, boolean mated, int templates) {
        Candidate c = g.best(probe);
        DecisionRule.Verdict v = rule.judge(c, templates);
        boolean eligible = c.personId() != null && c.margin() >= rule.config().minMargin()
                && (!mated || truth.equals(c.personId()));
        boolean matched = v.matched() && (!mated || truth.equals(c.personId()));
        boolean wrongPerson = mated && v.matched() && !truth.equals(c.personId());
        return new Outcome(mated, eligible ? c.score() : NEVER, matched, wrongPerson);
    }

    private static Map<String, Object> report(Params p, FaceDataset ds, DecisionRule rule, int templates,
                                              int enrolledPeople, int noFace, int poorQuality, List<Outcome> outcomes,
                                              List<String> refused, Gallery g) {
        double[] mated = outcomes.stream().filter(Outcome::mated).mapToDouble(Outcome::score).toArray();
        double[] nonmated = outcomes.stream().filter(o -> !o.mated()).mapToDouble(Outcome::score).toArray();
        long hits = outcomes.stream().filter(o -> o.mated() && o.matched()).count();
        long falsePositives = outcomes.stream().filter(o -> !o.mated() && o.matched()).count();
        // FPIR and FNIR as functions of the threshold: the verification metrics' FAR and FRR over these scores
        VerificationMetrics det = new VerificationMetrics(mated, nonmated);
        double threshold = rule.threshold(templates);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", p.dataset().toString());
        out.put("people", ds.people().size());
        out.put("enroll_per_person", p.enroll());
        out.put("enrolled_people", enrolledPeople);
        out.put("enrolled_templates", templates);
        out.put("mated_probes", mated.length);
        out.put("nonmated_probes", nonmated.length);
        out.put("probes_without_face", noFace);
        out.put("probes_below_quality", poorQuality);
        out.put("form", g.int8() ? "int8" : "float32");
        out.put("target_fpir", rule.config().targetFpir());
        out.put("threshold", round(threshold, 4));
        out.put("min_margin", rule.config().minMargin());
        out.put("fpir_at_threshold", ratio(falsePositives, nonmated.length));
        out.put("fnir_at_threshold", ratio(mated.length - hits, mated.length));
        out.put("strangers_accepted", falsePositives);
        out.put("enrolled_accepted_as_someone_else", outcomes.stream().filter(Outcome::wrongPerson).count());
        out.put("expected_fpir", rule.expectedFpir(templates));
        out.put("expected_fnir", round(rule.expectedFnir(templates), 4));
        rule.capacityWarning(templates).ifPresent(w -> out.put("capacity_warning", w));
        for (double fpir : new double[] {1e-2, 1e-3}) {
            String key = String.format(Locale.ROOT, "%.0e", fpir).replace("e-0", "e-");
            if (det.resolves(fpir)) {
                double t = det.thresholdAtFar(fpir);
                out.put("fnir_at_fpir_" + key, round(det.frr(t), 4));
                out.put("threshold_at_fpir_" + key, round(t, 4));
            } else {
                out.put("fnir_at_fpir_" + key, "not resolved: " + nonmated.length + " non-mated probes");
            }
        }
        out.put("max_nonmated_score", round(java.util.Arrays.stream(nonmated).max().orElse(Double.NaN), 4));
        out.put("refused", refused);
        if (p.plot() != null) {
            DetPlot.write(p.plot(), det, String.format(Locale.ROOT, "identification DET: %s (%d enrolled, %d+%d"
                            + " probes), threshold %.3f", p.dataset().getFileName(), enrolledPeople, mated.length,
                    nonmated.length, threshold), "false positive identification rate (FPIR), log scale",
                    "FNIR, log");
        }
        return out;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : round((double) a / b, 5);
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

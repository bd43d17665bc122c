package io.facegate.bench;

import io.facegate.TestData;
import io.facegate.config.AccessConfig;
import io.facegate.config.VisionConfig;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FaceDetector;
import io.facegate.vision.FacePipeline;
import io.facegate.image.Images;
import io.facegate.vision.Planarity;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The measurement behind docs/liveness.md (run on demand: {@code -Dfacegate.measure=DIR}, DIR receives a
 * live/spoof dataset of single frames for {@code bench liveness}): on SYNTHETIC clips, how well planarity separates
 * a photo moved by perspective warps (planar) from several real photos of one person at different poses
 * (non-planar), and what per-frame liveness, planarity and both together decide on them.
 */
class PlanarityMeasurementTest {
    private static final int FRAMES = 5;

    record Clip(boolean attack, String set, String person, double meanLiveness, Planarity.Result planarity,
                int faces) {
    }

    @Test
    void measure() throws Exception {
        String out = System.getProperty("facegate.measure");
        Assumptions.assumeTrue(out != null && !out.isBlank(),
                "a measurement, not a check: run with -Dfacegate.measure=DIR to print the table");
        Path outDir = Path.of(out);
        AccessConfig cfg = AccessConfig.defaults();
        Planarity planarity = new Planarity(cfg.planarityMinMotion(), cfg.planarityThreshold());
        List<Clip> clips = new ArrayList<>();
        Random rnd = new Random(Long.getLong("facegate.measure.seed", 2026L));
        try (FacePipeline p = FacePipeline.open(VisionConfig.defaults().withModelsDir(TestData.models()))) {
            for (String set : List.of("deepface", "bbt")) {
                FaceDataset ds = FaceDataset.load(TestData.faces(set));
                Files.createDirectories(outDir.resolve("live").resolve(set));
                Files.createDirectories(outDir.resolve("spoof").resolve("rephoto-" + set));
                for (FaceDataset.Person person : ds.people()) {
                    List<Path> photos = person.photos();
                    // live: several photos of one person, each a different pose
                    List<Mat> live = new ArrayList<>();
                    for (Path ph : photos.subList(0, Math.min(FRAMES, photos.size()))) {
                        live.add(Images.readForRecognition(ph, 40_000_000L, FaceProbe.RECOGNITION_SHORT_SIDE));
                    }
                    if (live.size() >= 2) {
                        clips.add(clip(p, planarity, false, set, person.name(), live));
                    }
                    for (int i = 0; i < live.size(); i++) {
                        imwrite(outDir.resolve("live").resolve(set).resolve(person.name() + "-" + i + ".png")
                                .toString(), live.get(i));
                    }
                    // attack: the first photo moved by perspective warps through a sweep of yaw and pitch
                    SyntheticAttacks.Look look = SyntheticAttacks.Look.random(rnd);
                    double sweep = 10 + 25 * rnd.nextDouble();
                    double pitch = -10 + 20 * rnd.nextDouble();
                    List<Mat> attack = new ArrayList<>();
                    for (int f = 0; f < FRAMES; f++) {
                        double yaw = -sweep + 2 * sweep * f / (FRAMES - 1);
                        attack.add(SyntheticAttacks.rephotograph(live.get(0), yaw, pitch * f / (FRAMES - 1), look,
                                rnd.nextLong()));
                    }
                    clips.add(clip(p, planarity, true, set, person.name(), attack));
                    for (int i = 0; i < attack.size(); i++) {
                        imwrite(outDir.resolve("spoof").resolve("rephoto-" + set)
                                .resolve(person.name() + "-" + i + ".png").toString(), attack.get(i));
                    }
                    live.forEach(Mat::close);
                    attack.forEach(Mat::close);
                }
            }
        }
        report(clips, cfg);
        assertTrue(clips.size() > 0);
    }

    private static Clip clip(FacePipeline p, Planarity planarity, boolean attack, String set, String person,
                             List<Mat> frames) {
        List<float[]> landmarks = new ArrayList<>();
        double sum = 0;
        int faces = 0;
        for (Mat m : frames) {
            List<FaceDetector.Detection> boxes = p.detectBoxes(m);
            if (boxes.isEmpty()) {
                continue;
            }
            DetectedFace face = p.largest(m, boxes);
            landmarks.add(face.landmarks68());
            sum += p.liveness(m, face);
            faces++;
        }
        return new Clip(attack, set, person, faces == 0 ? Double.NaN : sum / faces, planarity.judge(landmarks),
                faces);
    }

    private static void report(List<Clip> clips, AccessConfig cfg) {
        System.out.println("clip\tset\tperson\tfaces\tmean_liveness\tverdict\tresidual\tmotion\tunexplained");
        List<Double> liveRes = new ArrayList<>();
        List<Double> attackRes = new ArrayList<>();
        int[] abstain = new int[2];
        for (Clip c : clips) {
            System.out.printf(Locale.ROOT, "%s\t%s\t%s\t%d\t%.3f\t%s\t%.4f\t%.4f\t%.3f%n",
                    c.attack() ? "planar" : "live", c.set(), c.person(), c.faces(), c.meanLiveness(),
                    c.planarity().verdict(), c.planarity().residual(), c.planarity().motion(),
                    c.planarity().unexplained());
            if (c.planarity().verdict() == Planarity.Verdict.ABSTAIN) {
                abstain[c.attack() ? 1 : 0]++;
            } else {
                (c.attack() ? attackRes : liveRes).add(c.planarity().unexplained());
            }
        }
        if (!liveRes.isEmpty() && !attackRes.isEmpty()) {
            VerificationMetrics m = new VerificationMetrics(liveRes.stream().mapToDouble(d -> d).toArray(),
                    attackRes.stream().mapToDouble(d -> d).toArray());
            System.out.printf(Locale.ROOT, "planarity AUC of the unexplained share (non-planar live vs planar"
                            + " attack, clips that did not abstain): %.4f over %d live and %d attack clips;"
                            + " abstained: %d live, %d attack%n",
                    m.auc(), liveRes.size(), attackRes.size(), abstain[0], abstain[1]);
        }
        System.out.println("decision\tattack clips accepted (APCER)\tlive clips refused (BPCER)");
        for (String mode : List.of("per-frame only", "planarity only", "fused")) {
            int attacks = 0, accepted = 0, lives = 0, refused = 0;
            for (Clip c : clips) {
                boolean perFrame = c.meanLiveness() >= cfg.livenessThreshold();
                boolean notPlanar = c.planarity().verdict() != Planarity.Verdict.PLANAR;
                boolean pass = switch (mode) {
                    case "per-frame only" -> perFrame;
                    case "planarity only" -> notPlanar;
                    default -> perFrame && notPlanar;
                };
                if (c.attack()) {
                    attacks++;
                    accepted += pass ? 1 : 0;
                } else {
                    lives++;
                    refused += pass ? 0 : 1;
                }
            }
            System.out.printf(Locale.ROOT, "%s\t%d/%d = %.1f%%\t%d/%d = %.1f%%%n", mode, accepted, attacks,
                    100.0 * accepted / attacks, refused, lives, 100.0 * refused / lives);
        }
    }
}

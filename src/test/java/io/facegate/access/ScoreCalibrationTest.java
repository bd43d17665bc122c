package io.facegate.access;

import io.facegate.config.AccessConfig;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The score calibration and the decision rule's numbers: a synthetic distribution with a known tail gives the
 * known threshold; the committed table of the installed model is used only with that model.
 */
class ScoreCalibrationTest {
    private static final NormalDistribution STD = new NormalDistribution(null, 0, 1);
    /** Impostors ~ N(0, 0.1), 200k pairs; genuine ~ N(0.6, 0.05). */
    private static final ScoreCalibration CAL = AccessRig.CALIBRATION;

    private static double z(double far) {
        return STD.inverseCumulativeProbability(1 - far);
    }

    @Test
    void aKnownNormalTailGivesTheKnownThreshold() {
        assertEquals(200_000, CAL.impostorPairs());
        assertEquals(0.0, CAL.tailMu(), 0.01, "fitted tail mean");
        assertEquals(0.1, CAL.tailSigma(), 0.005, "fitted tail sigma");
        // 0.1 * 4.753: far below anything the 200k pairs measure (down to 5e-5), extrapolated by the fit
        assertEquals(0.1 * 4.753, CAL.scoreAtFar(1e-6), 0.01);
        assertEquals(0.1 * z(1e-7), CAL.scoreAtFar(1e-7), 0.012);
        // where the pairs measure it, the measured and the fitted agree
        assertEquals(0.1 * z(1e-3), CAL.scoreAtFar(1e-3), 0.005);
        assertEquals(1e-3, CAL.far(0.1 * z(1e-3)), 2e-4);
    }

    @Test
    void ratesAreMonotoneAndTheThresholdNeverFallsAsTheTargetTightens() {
        double previousFar = 1;
        double previousFrr = 0;
        for (double s = -1; s <= 1; s += 0.0005) {
            double far = CAL.far(s);
            double frr = CAL.frr(s);
            assertTrue(far <= previousFar + 1e-15 && far >= 0, "FAR rises at " + s);
            assertTrue(frr >= previousFrr && frr <= 1, "FRR falls at " + s);
            previousFar = far;
            previousFrr = frr;
        }
        double previous = -1;
        for (double far = 0.5; far > 1e-12; far /= 3) {
            double s = CAL.scoreAtFar(far);
            assertTrue(s >= previous, "threshold fell at FAR " + far);
            assertTrue(CAL.far(s) <= far, "scoreAtFar(" + far + ") = " + s + " has FAR " + CAL.far(s));
            previous = s;
        }
        ScoreCalibration heavy = SyntheticCalibration.normal(0.3, 200_000, 0.6, 0.05, 20_000, 1L);
        assertTrue(heavy.far(1) > 1e-4);
        assertEquals(ScoreCalibration.UNREACHABLE, heavy.scoreAtFar(1e-4), "no cosine is that rare");
        assertThrows(IllegalArgumentException.class, () -> CAL.scoreAtFar(0));
        assertThrows(IllegalArgumentException.class, () -> CAL.scoreAtFar(1));
        assertThrows(IllegalArgumentException.class, () -> CAL.scoreAtFar(Double.NaN));
    }

    @Test
    void refusesTooFewImpostorPairs() {
        Random rnd = new Random(3);
        long[] few = SyntheticCalibration.histogram(rnd, 0, 0.1, 999);
        long[] genuine = SyntheticCalibration.histogram(rnd, 0.6, 0.05, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ScoreCalibration.fromHistograms("m", AccessRig.SHA, "few", 3, 10, few, genuine,
                        SyntheticCalibration.BIN, Map.of()));
        assertTrue(e.getMessage().contains("at least 1000 impostor pairs") && e.getMessage().contains("999"),
                e.getMessage());
        // enough pairs but all with one score: no tail to fit
        long[] flat = new long[few.length];
        flat[1000] = 5000;
        e = assertThrows(IllegalArgumentException.class, () -> ScoreCalibration.fromHistograms("m", AccessRig.SHA,
                "flat", 3, 10, flat, genuine, SyntheticCalibration.BIN, Map.of()));
        assertTrue(e.getMessage().contains("tail"), e.getMessage());
    }

    @Test
    void refusesTablesThatAreNotRates() {
        List<double[]> falling = List.of(new double[] {0.1, 0.5}, new double[] {0.2, 0.6});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ScoreCalibration("m",
                AccessRig.SHA, "x", 1, 1, 1000, 10, 0, 0.1, falling, List.of(), Map.of()));
        assertTrue(e.getMessage().contains("not monotone"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScoreCalibration("m", AccessRig.SHA, "x", 1, 1, 1000,
                10, 0, 0, List.of(), List.of(), Map.of()), "sigma 0");
        assertThrows(IllegalArgumentException.class, () -> new ScoreCalibration("m", AccessRig.SHA, "x", 1, 1, 1000,
                10, 0, 0.1, List.of(new double[] {0.1, 1.5}), List.of(), Map.of()), "a rate above 1");
    }

    @Test
    void jsonRoundTrip(@TempDir Path dir) {
        Path file = dir.resolve("calibration.json");
        CAL.write(file);
        ScoreCalibration back = ScoreCalibration.read(file);
        assertEquals(CAL.model(), back.model());
        assertEquals(CAL.modelSha256(), back.modelSha256());
        assertEquals(CAL.source(), back.source());
        assertEquals(CAL.impostorPairs(), back.impostorPairs());
        assertEquals(CAL.genuinePairs(), back.genuinePairs());
        assertEquals(CAL.tailMu(), back.tailMu());
        assertEquals(CAL.tailSigma(), back.tailSigma());
        assertEquals(CAL.normQuantiles(), back.normQuantiles());
        assertEquals(CAL.impostor().size(), back.impostor().size());
        for (int i = 0; i < CAL.impostor().size(); i++) {
            assertArrayEquals(CAL.impostor().get(i), back.impostor().get(i));
        }
        for (double far : new double[] {1e-2, 1e-4, 1e-6, 1e-9}) {
            assertEquals(CAL.scoreAtFar(far), back.scoreAtFar(far));
        }
        assertEquals(SyntheticCalibration.MEDIAN_NORM, back.normQuantile(0.5));
        assertTrue(Double.isNaN(back.normQuantile(0.05)), "a quantile the table does not have");
        assertFalse(Files.exists(dir.resolve("calibration.json.tmp")), "written through a temporary file");
    }

    @Test
    void aMissingOrBrokenFileSaysWhatToDo(@TempDir Path dir) throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ScoreCalibration.read(dir.resolve("none.json")));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("facegate calibrate"),
                e.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"model\": \"m\", \"model_sha256\": \"x\"");
        e = assertThrows(IllegalStateException.class, () -> ScoreCalibration.read(broken));
        assertTrue(e.getMessage().contains("unreadable"), e.getMessage());
        Path noTail = Files.writeString(dir.resolve("notail.json"), "{\"model\": \"m\", \"model_sha256\": \"x\","
                + " \"identities\": 1, \"photos\": 1, \"impostor_pairs\": 1000, \"genuine_pairs\": 0,"
                + " \"tail_mu\": 0, \"tail_sigma\": 0, \"impostor\": [], \"genuine\": []}");
        e = assertThrows(IllegalStateException.class, () -> ScoreCalibration.read(noTail));
        assertTrue(e.getMessage().contains("unreadable") && e.getMessage().contains("sigma"), e.getMessage());
    }

    @Test
    void theRuleRefusesATableOfAnotherModel(@TempDir Path dir) {
        Path file = dir.resolve("calibration.json");
        CAL.write(file);
        AccessConfig cfg = AccessRig.parse("calibration_file: " + file);
        String other = "b".repeat(64);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DecisionRule.load(cfg, dir.resolve("models"), other));
        assertTrue(e.getMessage().contains(AccessRig.SHA) && e.getMessage().contains(other)
                && e.getMessage().contains("facegate calibrate"), e.getMessage());
        DecisionRule rule = DecisionRule.load(cfg, dir.resolve("models"), AccessRig.SHA.toUpperCase());
        assertEquals(CAL.scoreAtFar(1e-4), rule.threshold(1), 1e-6);
        // without calibration_file the table beside the models is read
        e = assertThrows(IllegalStateException.class,
                () -> DecisionRule.load(AccessConfig.defaults(), dir.resolve("models"), AccessRig.SHA));
        assertTrue(e.getMessage().contains(dir.resolve("models").resolve("calibration.json").toString()),
                e.getMessage());
    }

    @Test
    void theThresholdFollowsTheTargetAndTheGallery() {
        DecisionRule rule = new DecisionRule(AccessConfig.defaults(), CAL);
        for (int n : new int[] {1, 10, 1000, 100_000}) {
            double t = rule.threshold(n);
            assertEquals(CAL.scoreAtFar(1e-4 / n), t, 1e-6, "threshold for " + n);
            assertTrue(CAL.far(t) * n <= 1e-4 * (1 + 1e-6), "FPIR at the threshold for " + n);
            assertEquals(1e-4, rule.expectedFpir(n), 1e-5, "expected FPIR about the target for " + n);
        }
        assertEquals(rule.threshold(1), rule.threshold(0), "an empty gallery is judged as one template");
        double stricter = new DecisionRule(AccessRig.parse("target_fpir: 1e-6"), CAL).threshold(10);
        assertTrue(stricter > rule.threshold(10), "a tighter target raises the bar");
    }

    @Test
    void capacityWarningWhenTheTargetCostsTooManyEnrolledPeople() {
        DecisionRule rule = new DecisionRule(AccessConfig.defaults(), CAL); // genuine ~ N(0.6, 0.05)
        assertTrue(rule.expectedFnir(10) < 0.01, "small gallery: threshold " + rule.threshold(10));
        assertTrue(rule.capacityWarning(10).isEmpty());
        int big = 100_000; // FAR 1e-9 per comparison: threshold about 0.6, half the genuine scores below
        assertTrue(rule.expectedFnir(big) > 0.05, "FNIR " + rule.expectedFnir(big));
        String w = rule.capacityWarning(big).orElseThrow();
        assertTrue(w.contains("100000 templates") && w.contains("access.capacity_max_fnir")
                && w.contains("access.target_fpir"), w);
        DecisionRule lenient = new DecisionRule(AccessRig.parse("capacity_max_fnir: 0.99"), CAL);
        assertTrue(lenient.capacityWarning(big).isEmpty(), "under a higher limit");
        assertEquals(rule.threshold(big), lenient.threshold(big), "the bar is kept either way");
    }

    @Test
    void aNormGateTheCalibrationCannotServeIsReportedAsOff() {
        ScoreCalibration noNorms = new ScoreCalibration(CAL.model(), CAL.modelSha256(), CAL.source(),
                CAL.identities(), CAL.photos(), CAL.impostorPairs(), CAL.genuinePairs(), CAL.tailMu(),
                CAL.tailSigma(), CAL.impostor(), CAL.genuine(), Map.of());
        DecisionRule rule = new DecisionRule(AccessConfig.defaults(), noNorms); // min_norm_ratio 0.6
        assertTrue(rule.qualityProblem(new FrameQuality(0.001, 1, 60, 0, 0)).isEmpty(),
                "without the median there is nothing to compare the norm with");
        assertTrue(rule.describe(10).contains("embedding-norm gate off"), "the start-up line must say so: "
                + rule.describe(10));
        assertFalse(new DecisionRule(AccessConfig.defaults(), CAL).describe(10).contains("gate off"));
        assertFalse(new DecisionRule(AccessRig.parse("min_norm_ratio: 0"), noNorms).describe(10)
                .contains("gate off"), "switched off on purpose");
    }

    @Test
    void theCommittedTableFitsTheInstalledFeatureModel() throws Exception {
        Path lock = Path.of("models/models.lock");
        Path table = Path.of("models/calibration.json");
        assertTrue(Files.exists(lock) && Files.exists(table), "models.lock and calibration.json are committed");
        Matcher m = Pattern.compile("(?m)^model feature \\S+ ([0-9a-f]{64}) ").matcher(Files.readString(lock));
        assertTrue(m.find(), "the feature model's line in models.lock");
        String sha = m.group(1);
        DecisionRule rule = DecisionRule.load(AccessConfig.defaults(), Path.of("models"), sha);
        ScoreCalibration cal = rule.calibration();
        assertTrue(cal.impostorPairs() >= ScoreCalibration.MIN_IMPOSTOR_PAIRS);
        double previous = -1;
        for (int n : new int[] {1, 10, 100, 1000, 10_000}) {
            double t = rule.threshold(n);
            assertTrue(t > previous && t > 0 && t < 1, n + " templates: " + t);
            previous = t;
        }
        assertThrows(IllegalStateException.class, () -> DecisionRule.load(AccessConfig.defaults(),
                Path.of("models"), "0".repeat(64)));
    }
}

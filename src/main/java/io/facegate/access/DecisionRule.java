package io.facegate.access;

import io.facegate.config.AccessConfig;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The one rule that says whether evidence about a face names an enrolled person: used by the daemon's
 * {@link AccessPolicy}, by {@code bench identify}, {@code bench pipeline} and {@code compare} alike.
 *
 * <ul>
 *   <li><b>Threshold from a target.</b> {@code access.target_fpir} is the false-positive identification rate
 *       allowed per stranger visit. A stranger gets one chance per searched template, so the FAR per comparison
 *       must be {@code target_fpir / templates}; the {@link ScoreCalibration} of the model turns that FAR into a
 *       score. The bar rises as the gallery grows and is never lowered to keep the FNIR down: when the model
 *       cannot reach the target at {@code access.capacity_max_fnir} for this gallery, {@link #capacityWarning}
 *       says so with numbers.</li>
 *   <li><b>Margin.</b> The best person must beat every other person by {@code access.min_margin}.</li>
 *   <li><b>Quality.</b> A face below any gate ({@link #qualityProblem}) is never evidence for a grant.</li>
 * </ul>
 * Immutable and thread-safe; the threshold of the last gallery size asked is cached.
 */
public final class DecisionRule {
    /** What the rule concludes from one (fused) probe. */
    public enum Outcome { MATCH, LOW_MARGIN, NO_MATCH }

    /** The rule's answer: the outcome, the candidate it is about and the threshold it was judged at. */
    public record Verdict(Outcome outcome, Candidate candidate, double threshold) {
        public boolean matched() {
            return outcome == Outcome.MATCH;
        }
    }

    /** The norm gate is relative to the calibration photos' median norm. */
    private static final double MEDIAN = 0.5;

    private final AccessConfig cfg;
    private final ScoreCalibration calibration;
    private final double minNorm;
    private volatile long cached = -1; // (templates << 32) | Float.floatToIntBits(threshold)
    private volatile long cachedSingle = -1; // the same for singleFrameThreshold

    public DecisionRule(AccessConfig config, ScoreCalibration calibration) {
        this.cfg = Objects.requireNonNull(config, "config");
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.minNorm = config.minNormRatio() > 0 ? config.minNormRatio() * calibration.normQuantile(MEDIAN)
                : Double.NaN;
    }

    /**
     * The rule for the installed models: reads the calibration ({@code access.calibration_file}, default beside the
     * models) and refuses one measured on another embedding model.
     */
    public static DecisionRule load(AccessConfig config, java.nio.file.Path modelsDir, String featureModelSha256) {
        java.nio.file.Path file = config.calibrationIn(modelsDir);
        ScoreCalibration cal = ScoreCalibration.read(file);
        if (!cal.fitsModel(featureModelSha256)) {
            throw new IllegalStateException("score calibration " + file + " was measured on model " + cal.model()
                    + " (sha256 " + cal.modelSha256() + "), not on the installed feature model (sha256 "
                    + featureModelSha256 + "): run 'facegate calibrate --dataset DIR' with labelled photos");
        }
        return new DecisionRule(config, cal);
    }

    public AccessConfig config() {
        return cfg;
    }

    public ScoreCalibration calibration() {
        return calibration;
    }

    /** The score a probe must reach against a gallery of {@code templates} templates. */
    public double threshold(int templates) {
        int n = Math.max(1, templates);
        long c = cached;
        if (c >= 0 && (int) (c >>> 32) == n) {
            return Float.intBitsToFloat((int) c);
        }
        float t = scoreAtFar(cfg.targetFpir() / n);
        cached = ((long) n << 32) | (Float.floatToIntBits(t) & 0xffffffffL);
        return t;
    }

    /**
     * The score one frame alone must reach to conclude before {@code access.min_frames} good frames are fused: the
     * score whose FAR is {@code target_fpir / (templates * max_frames)}. A window holds at most {@code max_frames}
     * good frames; even if each were judged alone and were an independent try (no credit for how alike the frames
     * of one face are), together they would stay within the target. Always above {@link #threshold}.
     */
    public double singleFrameThreshold(int templates) {
        int n = Math.max(1, templates);
        long c = cachedSingle;
        if (c >= 0 && (int) (c >>> 32) == n) {
            return Float.intBitsToFloat((int) c);
        }
        float t = scoreAtFar(cfg.targetFpir() / ((double) n * cfg.maxFrames()));
        cachedSingle = ((long) n << 32) | (Float.floatToIntBits(t) & 0xffffffffL);
        return t;
    }

    /** Rounded up to float precision, so that a cached threshold never lowers the bar. */
    private float scoreAtFar(double far) {
        return Math.nextUp((float) calibration.scoreAtFar(far));
    }

    /** False matches per stranger visit expected at {@link #threshold} for this gallery (about the target). */
    public double expectedFpir(int templates) {
        int n = Math.max(1, templates);
        return Math.min(1, n * calibration.far(threshold(n)));
    }

    /** Share of enrolled people's probes expected to miss {@link #threshold}, from the calibration's genuine pairs. */
    public double expectedFnir(int templates) {
        return calibration.frr(threshold(templates));
    }

    /** A warning when the target costs more than {@code access.capacity_max_fnir} of the enrolled people's tries. */
    public Optional<String> capacityWarning(int templates) {
        double fnir = expectedFnir(templates);
        if (!(fnir > cfg.capacityMaxFnir())) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "the model cannot keep strangers out at access.target_fpir"
                        + " %.1e with %d templates without refusing enrolled people: threshold %.3f, expected FNIR"
                        + " %.1f%% per try (limit access.capacity_max_fnir %.1f%%); the bar is kept, expect enrolled"
                        + " people to be refused more often: enroll fewer people per door, or use a stronger model",
                cfg.targetFpir(), templates, threshold(templates), 100 * fnir, 100 * cfg.capacityMaxFnir()));
    }

    /** One line for logs, health and {@code gallery list}. */
    public String describe(int templates) {
        String line = String.format(Locale.ROOT, "threshold %.3f for %d templates: expected FPIR %.1e per stranger"
                        + " visit (target %.1e), expected FNIR %.1f%%", threshold(templates), templates,
                expectedFpir(templates), cfg.targetFpir(), 100 * expectedFnir(templates));
        if (cfg.minNormRatio() > 0 && Double.isNaN(minNorm)) {
            // the gate is configured but has nothing to compare with: say so rather than look gated
            line += "; embedding-norm gate off: the calibration has no median norm (run 'facegate calibrate')";
        }
        return line;
    }

    /** Why a face may not count toward a grant, or empty when it passes every gate. */
    public Optional<String> qualityProblem(FrameQuality q) {
        Optional<String> before = qualityProblemBeforeEmbedding(q);
        if (before.isPresent()) {
            return before;
        }
        if (!Double.isNaN(minNorm) && !(q.embeddingNorm() >= minNorm)) {
            return Optional.of(String.format(Locale.ROOT, "the model is unsure of this face (embedding norm %.2f,"
                    + " below %.2f = %.2f x the calibration photos' median)", q.embeddingNorm(), minNorm,
                    cfg.minNormRatio()));
        }
        return Optional.empty();
    }

    /**
     * The gates that need no embedding (size, pose, sharpness; the embedding's norm is not read): a face that fails
     * one of them fails {@link #qualityProblem} too, so it need not be embedded at all.
     */
    public Optional<String> qualityProblemBeforeEmbedding(FrameQuality q) {
        if (q == null) {
            return Optional.of("no quality measured");
        }
        if (!(q.interEyeDistancePx() >= cfg.minEyeDistancePx())) {
            return Optional.of(String.format(Locale.ROOT, "face too small (eyes %.0f px apart, %.0f needed)",
                    q.interEyeDistancePx(), cfg.minEyeDistancePx()));
        }
        if (!(Math.abs(q.yawDegrees()) <= cfg.maxYawDegrees())) {
            return Optional.of(String.format(Locale.ROOT, "head turned (yaw %.0f degrees, limit %.0f)",
                    q.yawDegrees(), cfg.maxYawDegrees()));
        }
        if (!(Math.abs(q.pitchDegrees()) <= cfg.maxPitchDegrees())) {
            return Optional.of(String.format(Locale.ROOT, "head tilted up or down (pitch %.0f degrees, limit %.0f)",
                    q.pitchDegrees(), cfg.maxPitchDegrees()));
        }
        if (!(q.sharpness() >= cfg.minSharpness())) {
            return Optional.of(String.format(Locale.ROOT, "blurred (sharpness %.2f, %.2f needed)", q.sharpness(),
                    cfg.minSharpness()));
        }
        return Optional.empty();
    }

    /** The rule on one probe's best candidate, for a gallery of {@code templates} templates. */
    public Verdict judge(Candidate c, int templates) {
        double t = threshold(templates);
        if (c == null || c.personId() == null || !(c.score() >= t)) {
            return new Verdict(Outcome.NO_MATCH, c == null ? Candidate.NONE : c, t);
        }
        if (!(c.margin() >= cfg.minMargin())) {
            return new Verdict(Outcome.LOW_MARGIN, c, t);
        }
        return new Verdict(Outcome.MATCH, c, t);
    }

    /**
     * The rule on one frame's best candidate, judged alone: MATCH only at {@link #singleFrameThreshold} (and the
     * margin); anything else is NO_MATCH, i.e. "not enough on its own", never a reason to deny.
     */
    public Verdict judgeSingleFrame(Candidate c, int templates) {
        double t = singleFrameThreshold(templates);
        if (c == null || c.personId() == null || !(c.score() >= t) || !(c.margin() >= cfg.minMargin())) {
            return new Verdict(Outcome.NO_MATCH, c == null ? Candidate.NONE : c, t);
        }
        return new Verdict(Outcome.MATCH, c, t);
    }

    /** Searches a unit-length probe and judges it: what a benchmark does with one photo. */
    public Verdict identify(Identifier gallery, float[] unitProbe) {
        return judge(gallery.best(unitProbe), gallery.searchedTemplates());
    }
}

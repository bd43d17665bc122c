package io.facegate.bench;

import io.facegate.access.AccessPolicy;
import io.facegate.access.Candidate;
import io.facegate.access.Decision;
import io.facegate.access.DecisionRule;
import io.facegate.access.DenialReason;
import io.facegate.access.FrameQuality;
import io.facegate.access.PersonAccess;
import io.facegate.access.Recognition;
import io.facegate.access.ScoreCalibration;
import io.facegate.access.SyntheticCalibration;
import io.facegate.config.AccessConfig;
import io.facegate.config.GalleryConfig;
import io.facegate.config.Yaml;
import io.facegate.door.ManualTime;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bench identify} measures the door only if it decides as the door does: {@link IdentifyBenchmark#judge}
 * on one probe and the daemon's {@link AccessPolicy} fed min_frames identical frames of that probe must name the
 * same person with the same outcome, for mated, non-mated, low-margin and near-threshold probes alike.
 */
class DaemonAndBenchmarkAgreeTest {
    private static final int DIM = 512;
    private static final int PEOPLE = 40;
    private static final FrameQuality GOOD = new FrameQuality(20, 1, 60, 0, 0);

    @Test
    void theBenchmarkJudgesEveryProbeAsTheDaemonDoes(@TempDir Path dir) throws Exception {
        ScoreCalibration cal = SyntheticCalibration.normal(0.1, 200_000, 0.6, 0.05, 20_000, 1L);
        AccessConfig cfg = Yaml.mapper().readValue("default_schedule: always\nmin_frames: 2\nmax_frames: 2\n"
                + "unknown_event_interval_ms: 0\ncooldown_ms: 0\n", AccessConfig.class);
        DecisionRule rule = new DecisionRule(cfg, cal);
        Random rnd = new Random(99);
        List<float[]> vectors = new ArrayList<>();
        try (Gallery g = Gallery.open(GalleryConfig.defaults().withDataDir(dir), "m", SyntheticCalibration.SHA)) {
            for (int i = 0; i < PEOPLE; i++) {
                float[] v = unit(rnd);
                vectors.add(v);
                g.enroll(Person.of("p" + i, "P" + i, null), List.of(new Template("p" + i, v, "m",
                        SyntheticCalibration.SHA, 1, "d".repeat(64), Instant.parse("2025-01-01T00:00:00Z"))), false);
            }
            int templates = g.searchedTemplates();
            double threshold = rule.threshold(templates);
            ManualTime time = new ManualTime();
            AccessPolicy policy = new AccessPolicy(rule, g, id -> Optional.of(new PersonAccess(id, id, Set.of(),
                    true, null, null)), time, () -> false, () -> false);

            int[] seen = new int[DecisionRule.Outcome.values().length];
            int nearThreshold = 0;
            for (int i = 0; i < 3000; i++) {
                int who = rnd.nextInt(PEOPLE);
                int other = (who + 1 + rnd.nextInt(PEOPLE - 1)) % PEOPLE;
                float[] probe;
                boolean mated = true;
                switch (i % 5) {
                    case 0 -> probe = towards(vectors.get(who), 0.8 + 0.2 * rnd.nextDouble(), rnd);
                    case 1 -> {
                        probe = unit(rnd);
                        mated = false;
                    }
                    case 2 -> probe = towards(vectors.get(who), threshold + (rnd.nextDouble() - 0.5) * 0.004, rnd);
                    case 3 -> probe = mix(vectors.get(who), vectors.get(other), 0.8 + 0.4 * rnd.nextDouble());
                    default -> {
                        // someone unenrolled who resembles an enrolled person right at the threshold
                        probe = towards(vectors.get(who), threshold + (rnd.nextDouble() - 0.5) * 0.004, rnd);
                        mated = false;
                    }
                }
                String truth = mated ? "p" + who : null;

                IdentifyBenchmark.Outcome bench = IdentifyBenchmark.judge(rule, g, probe, truth, mated, templates);
                Candidate c = g.best(probe);
                DecisionRule.Verdict single = rule.judge(c, templates);
                seen[single.outcome().ordinal()]++;
                if (Math.abs(c.score() - threshold) < 0.002) {
                    nearThreshold++;
                }

                Decision d = null;
                for (int f = 0; f < cfg.minFrames(); f++) {
                    Optional<Decision> out = policy.offer(new Recognition(i, probe.clone(), GOOD, 0.9,
                            time.instant()));
                    time.advanceMillis(100);
                    if (out.isPresent()) {
                        assertNull(d, "two decisions on one track");
                        d = out.get();
                    }
                }
                String what = "probe " + i + " (" + c + ", threshold " + threshold + ", mated " + mated + ")";
                assertNotNull(d, "the daemon concluded nothing on " + what);
                switch (single.outcome()) {
                    case MATCH -> {
                        assertTrue(d.granted(), "benchmark MATCH, daemon " + d.reason() + ": " + what);
                        assertEquals(c.personId(), d.personId(), what);
                    }
                    case LOW_MARGIN -> assertEquals(DenialReason.LOW_MARGIN, d.reason(), what);
                    case NO_MATCH -> assertEquals(DenialReason.UNKNOWN_FACE, d.reason(), what);
                }
                assertEquals(bench.matched(), d.granted() && (!mated || truth.equals(d.personId())),
                        "bench identify counts " + (bench.matched() ? "a match" : "no match") + ", the door "
                                + (d.granted() ? "let " + d.personId() + " in" : "refused") + ": " + what);
                if (d.granted()) {
                    assertEquals(c.score(), d.score(), 1e-6, "the fused probe of identical frames is the probe");
                }
            }
            for (DecisionRule.Outcome o : DecisionRule.Outcome.values()) {
                assertTrue(seen[o.ordinal()] > 100, o + " seen " + seen[o.ordinal()] + " times");
            }
            assertTrue(nearThreshold > 200, "probes within 0.002 of the threshold: " + nearThreshold);
        }
    }

    private static float[] unit(Random rnd) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return normalised(v);
    }

    /** A unit vector whose cosine with the unit vector {@code v} is {@code cosine}. */
    private static float[] towards(float[] v, double cosine, Random rnd) {
        float[] u = unit(rnd);
        double d = 0;
        for (int i = 0; i < DIM; i++) {
            d += (double) u[i] * v[i];
        }
        double side = Math.sqrt(1 - cosine * cosine);
        double[] w = new double[DIM];
        double ss = 0;
        for (int i = 0; i < DIM; i++) {
            w[i] = u[i] - d * v[i];
            ss += w[i] * w[i];
        }
        float[] out = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            out[i] = (float) (cosine * v[i] + side * w[i] / Math.sqrt(ss));
        }
        return normalised(out);
    }

    /** normalise(a + w b): near w = 1 both score alike and the margin is about 0. */
    private static float[] mix(float[] a, float[] b, double w) {
        float[] out = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            out[i] = (float) (a[i] + w * b[i]);
        }
        return normalised(out);
    }

    private static float[] normalised(float[] v) {
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        double n = Math.sqrt(ss);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }
}

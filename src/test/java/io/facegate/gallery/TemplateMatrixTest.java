package io.facegate.gallery;

import io.facegate.access.Candidate;
import io.facegate.vision.Embeddings;

import io.facegate.config.GalleryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateMatrixTest {
    private static final int DIM = 512;

    private static TemplateMatrix random(int n, int perPerson, boolean int8, ScoreKernel k, SplittableRandom rnd) {
        TemplateMatrix m = new TemplateMatrix(DIM, n, k, int8);
        for (int i = 0; i < n; i++) {
            m.add("p" + i / perPerson, List.of(RandomTemplates.unit(rnd, DIM)));
        }
        return m;
    }

    /** Brute force in double precision: the reference both kernels must agree with. */
    private static TemplateMatrix.Candidate reference(TemplateMatrix.Snapshot s, float[] probe) {
        float[] q = TemplateMatrix.normalised(probe);
        java.util.Map<String, Double> best = new java.util.HashMap<>();
        for (int r = 0; r < s.rows(); r++) {
            if (s.owner()[r] < 0) {
                continue;
            }
            double d = 0;
            for (int j = 0; j < DIM; j++) {
                d += (double) q[j] * s.data()[r * DIM + j];
            }
            best.merge(s.persons()[s.owner()[r]], d, Math::max);
        }
        List<java.util.Map.Entry<String, Double>> e = new ArrayList<>(best.entrySet());
        e.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        return new TemplateMatrix.Candidate(e.get(0).getKey(), e.get(0).getValue().floatValue(),
                e.size() > 1 ? e.get(1).getKey() : null,
                e.size() > 1 ? e.get(1).getValue().floatValue() : Float.NEGATIVE_INFINITY);
    }

    @Test
    void simdAndScalarGiveTheSameAnswersAsBruteForce() {
        assertTrue(Kernels.simdAvailable(), "surefire runs with --add-modules jdk.incubator.vector");
        ScoreKernel simd = Kernels.choose(true);
        assertTrue(simd.name().startsWith("simd"), simd.name());
        ScoreKernel scalar = Kernels.scalar();
        SplittableRandom rnd = new SplittableRandom(11);
        // 1003 rows: not a multiple of the 4-row block, exercising the tail.
        TemplateMatrix m = random(1003, 3, true, simd, rnd);
        TemplateMatrix.Snapshot s = m.snapshot();
        for (int i = 0; i < 50; i++) {
            float[] q = i % 2 == 0 ? RandomTemplates.unit(rnd, DIM)
                    : noisy(s.data(), rnd.nextInt(s.rows()) * DIM, rnd);
            TemplateMatrix.Candidate ref = reference(s, q);
            TemplateMatrix.Candidate a = m.search(s, q, simd, false);
            TemplateMatrix.Candidate b = m.search(s, q, scalar, false);
            TemplateMatrix.Candidate a8 = m.search(s, q, simd, true);
            TemplateMatrix.Candidate b8 = m.search(s, q, scalar, true);
            assertEquals(ref.personId(), a.personId());
            assertEquals(ref.personId(), b.personId());
            assertEquals(ref.otherId(), a.otherId());
            assertEquals(ref.score(), a.score(), 1e-5);
            assertEquals(ref.score(), b.score(), 1e-5);
            assertEquals(ref.otherScore(), a.otherScore(), 1e-5);
            assertEquals(a8.personId(), b8.personId(), "int8: SIMD and scalar agree");
            assertEquals(a8.score(), b8.score(), 0.0, "int8 dot products are exact integers in both kernels");
            assertEquals(ref.score(), a8.score(), 3e-3, "int8 keeps the score");
            if (i % 2 == 1) {
                assertEquals(ref.personId(), a8.personId(), "int8 finds the mated person");
            }
        }
    }

    private static float[] noisy(float[] data, int off, SplittableRandom rnd) {
        float[] n = RandomTemplates.unit(rnd, DIM);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = data[off + i] + 0.7f * n[i];
        }
        return v;
    }

    @Test
    void changesAreVisibleToTheNextQuery() {
        SplittableRandom rnd = new SplittableRandom(12);
        TemplateMatrix m = random(100, 2, false, Kernels.choose(true), rnd);
        float[] newcomer = RandomTemplates.unit(rnd, DIM);
        assertTrue(m.search(newcomer).score() < 0.5f);
        m.add("zoe", List.of(newcomer));
        TemplateMatrix.Candidate c = m.search(newcomer);
        assertEquals("zoe", c.personId());
        assertEquals(1.0, c.score(), 1e-5);
        float[] other = RandomTemplates.unit(rnd, DIM);
        m.replace("zoe", List.of(other));
        assertEquals("zoe", m.search(other).personId());
        assertTrue(m.search(newcomer).score() < 0.5f, "replaced template gone");
        m.remove("zoe");
        assertTrue(!"zoe".equals(m.search(other).personId()));
        assertEquals(100, m.size());
    }

    @Test
    void removingManyCompactsAndKeepsTheRest() {
        SplittableRandom rnd = new SplittableRandom(13);
        TemplateMatrix m = new TemplateMatrix(DIM, 16, Kernels.choose(true), true);
        List<float[]> keep = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] v = RandomTemplates.unit(rnd, DIM);
            m.add("p" + i, List.of(v));
            keep.add(v);
        }
        for (int i = 0; i < 2000; i++) {
            m.remove("p" + i);
        }
        assertEquals(1000, m.size());
        assertTrue(m.snapshot().rows() < 3000, "dead rows were compacted away");
        for (int i = 2000; i < 3000; i += 97) {
            assertEquals("p" + i, m.search(keep.get(i)).personId());
        }
    }

    @Test
    void queriesRunWhileTheGalleryChanges() throws Exception {
        SplittableRandom rnd = new SplittableRandom(14);
        TemplateMatrix m = random(2000, 1, true, Kernels.choose(true), rnd);
        float[] fixed = m.snapshot().data().clone();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> reader = pool.submit(() -> {
                int n = 0;
                while (!stop.get()) {
                    int row = n % 2000;
                    float[] q = java.util.Arrays.copyOfRange(fixed, row * DIM, (row + 1) * DIM);
                    TemplateMatrix.Candidate c = m.search(q);
                    assertNotNull(c);
                    assertEquals("p" + row, c.personId(), "a template not being changed is always found");
                    n++;
                }
                return n;
            });
            SplittableRandom w = new SplittableRandom(15);
            for (int i = 0; i < 3000; i++) {
                m.add("x" + i, List.of(RandomTemplates.unit(w, DIM)));
                if (i % 3 == 0) {
                    m.remove("x" + (i / 2));
                }
            }
            stop.set(true);
            assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void galleryReportsBestCandidateScoreAndMargin(@TempDir Path dir) {
        SplittableRandom rnd = new SplittableRandom(16);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        String sha = "c".repeat(64);
        try (Gallery g = Gallery.open(cfg, "m", sha)) {
            assertEquals(Candidate.NONE, g.best(RandomTemplates.unit(rnd, DIM)));
            float[] a = RandomTemplates.unit(rnd, DIM);
            float[] b = RandomTemplates.unit(rnd, DIM);
            g.enroll(Person.of("a", "A", null), List.of(t("a", a, sha)), false);
            g.enroll(Person.of("b", "B", null), List.of(t("b", b, sha)), false);
            assertEquals(2, g.searchedTemplates());
            Candidate ra = g.best(a);
            assertEquals("a", ra.personId());
            assertEquals(1.0, ra.score(), 2e-3);
            assertEquals(ra.score() - Embeddings.cosine(a, b), ra.margin(), 2e-3, "margin over the next person");
            // Halfway between a and b: both score about 0.7, margin about 0; whether that matches is the rule's call
            float[] mid = new float[DIM];
            for (int i = 0; i < DIM; i++) {
                mid[i] = a[i] + b[i];
            }
            Candidate rm = g.best(Embeddings.normalize(mid));
            assertNotNull(rm.personId());
            assertTrue(rm.score() > 0.6 && rm.margin() < 0.01, rm.toString());
            Candidate stranger = g.best(RandomTemplates.unit(rnd, DIM));
            assertTrue(stranger.score() < 0.3, "random 512-d directions are nearly orthogonal: " + stranger);
            List<Long> versions = new ArrayList<>();
            g.addListener((v, h, what) -> versions.add(v));
            g.remove("a");
            assertEquals("b", g.best(a).personId());
            assertEquals(List.of(3L), versions);
        }
        try (Gallery g = Gallery.open(cfg.withMatcher(cfg.simd(), false), "m", sha)) {
            assertEquals(1, g.templateCount(), "reloaded from SQLite");
        }
    }

    private static Template t(String p, float[] v, String sha) {
        return new Template(p, v, "m", sha, 1, "d".repeat(64), Instant.now());
    }
}

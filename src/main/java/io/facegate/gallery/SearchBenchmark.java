package io.facegate.gallery;

import io.facegate.config.GalleryConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code facegate bench search}: times, in one run over the same random normalised templates,
 * <ol>
 *   <li>the SIMD matcher (the full search: normalise the probe, score every row, best + runner-up person),</li>
 *   <li>the same search with the plain scalar loop,</li>
 *   <li>a SIMD sequential sum over the same bytes: the memory-bandwidth bound of one query.</li>
 * </ol>
 * Harness: each timed sample repeats the operation until it lasts at least 2 ms; the three are interleaved
 * round by round after a warm-up, so frequency and cache state affect them alike; medians are reported.
 * Optionally also times writing the templates to a fresh SQLite gallery and {@link Gallery#open} loading them.
 */
public final class SearchBenchmark {
    public record Params(int templates, int dim, int perPerson, int rounds, long seed, boolean sqliteLoad,
                         Path workDir) {
    }

    private SearchBenchmark() {
    }

    public static Map<String, Object> run(Params p, PrintStream log) {
        if (!Kernels.simdAvailable()) {
            throw new IllegalStateException("bench search needs the Vector API: run java with"
                    + " --add-modules jdk.incubator.vector");
        }
        ScoreKernel simd = Kernels.choose(true);
        ScoreKernel scalar = Kernels.scalar();
        SplittableRandom rnd = new SplittableRandom(p.seed());
        log.printf("generating %d random templates of %d dimensions...%n", p.templates(), p.dim());
        TemplateMatrix m = new TemplateMatrix(p.dim(), p.templates(), simd, true);
        for (int i = 0; i < p.templates(); i++) {
            m.appendRaw("p" + (i / p.perPerson()), randomUnit(rnd, p.dim()));
        }
        m.publishLoaded();
        TemplateMatrix.Snapshot s = m.snapshot();
        float[][] probes = new float[64][];
        for (int i = 0; i < probes.length; i++) {
            // Half the probes are noisy copies of stored templates, so the best score is a realistic "mated" one.
            probes[i] = i % 2 == 0 ? randomUnit(rnd, p.dim())
                    : noisyCopy(s.data(), rnd.nextInt(s.rows()) * p.dim(), p.dim(), rnd);
        }

        // Agreement of SIMD and scalar (per form) and of int8 with float32.
        Map<String, Object> agreement = new LinkedHashMap<>();
        int[] same = new int[3];
        double[] diff = new double[3];
        for (float[] q : probes) {
            TemplateMatrix.Candidate f = m.search(s, q, simd, false);
            TemplateMatrix.Candidate fs = m.search(s, q, scalar, false);
            TemplateMatrix.Candidate i8 = m.search(s, q, simd, true);
            TemplateMatrix.Candidate i8s = m.search(s, q, scalar, true);
            same[0] += f.personId().equals(fs.personId()) ? 1 : 0;
            same[1] += i8.personId().equals(i8s.personId()) ? 1 : 0;
            same[2] += f.personId().equals(i8.personId()) ? 1 : 0;
            diff[0] = Math.max(diff[0], Math.abs(f.score() - fs.score()));
            diff[1] = Math.max(diff[1], Math.abs(i8.score() - i8s.score()));
            diff[2] = Math.max(diff[2], Math.abs(f.score() - i8.score()));
        }
        agreement.put("float32_simd_vs_scalar_same_best", same[0] + "/" + probes.length);
        agreement.put("float32_simd_vs_scalar_max_score_diff", diff[0]);
        agreement.put("int8_simd_vs_scalar_same_best", same[1] + "/" + probes.length);
        agreement.put("int8_simd_vs_scalar_max_score_diff", diff[1]);
        agreement.put("int8_vs_float32_same_best", same[2] + "/" + probes.length);
        agreement.put("int8_vs_float32_max_score_diff", diff[2]);

        int len = s.rows() * p.dim();
        float[] sink = new float[1];
        int[] next = {0};
        List<Runnable> ops = List.of(
                () -> sink[0] += m.search(s, probes[next[0]++ & 63], simd, false).score(),
                () -> sink[0] += m.search(s, probes[next[0]++ & 63], scalar, false).score(),
                () -> sink[0] += VectorKernel.stream(s.data(), len),
                () -> sink[0] += m.search(s, probes[next[0]++ & 63], simd, true).score(),
                () -> sink[0] += m.search(s, probes[next[0]++ & 63], scalar, true).score(),
                () -> sink[0] += VectorKernel.streamInt8(s.q8(), len));
        int n = ops.size();
        log.println("warming up...");
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        int[] reps = new int[n];
        while (System.nanoTime() < warmEnd) {
            for (int k = 0; k < n; k++) {
                reps[k] = repsFor(ops.get(k));
            }
        }
        double[][] samples = new double[n][p.rounds()];
        for (int r = 0; r < p.rounds(); r++) {
            for (int k = 0; k < n; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps[k]; i++) {
                    ops.get(k).run();
                }
                samples[k][r] = (System.nanoTime() - t0) / 1e3 / reps[k];
            }
            log.printf("\rround %d/%d", r + 1, p.rounds());
        }
        log.println();
        Map<String, Object> f32 = form(samples, 0, (long) len * Float.BYTES);
        Map<String, Object> i8 = form(samples, 3, len);
        boolean int8 = GalleryConfig.defaults().int8();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("templates", s.rows());
        out.put("dim", p.dim());
        out.put("persons", (p.templates() + p.perPerson() - 1) / p.perPerson());
        out.put("simd_kernel", simd.name());
        out.put("form", int8 ? "int8" : "float32");
        out.putAll(int8 ? i8 : f32);
        out.put("float32", f32);
        out.put("int8", i8);
        out.put("int8_vs_float32_speedup", round((double) f32.get("simd_us_per_query")
                / (double) i8.get("simd_us_per_query"), 2));
        out.put("agreement", agreement);
        out.put("rounds", p.rounds());
        if (p.sqliteLoad()) {
            out.putAll(sqliteLoad(p, s, log));
        }
        if (sink[0] == 42) {
            log.print(""); // keep the results alive
        }
        return out;
    }

    private static Map<String, Object> form(double[][] samples, int first, long bytes) {
        double simdUs = median(samples[first]);
        double scalarUs = median(samples[first + 1]);
        double streamUs = median(samples[first + 2]);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("matrix_mb", round(bytes / 1e6, 1));
        out.put("simd_us_per_query", round(simdUs, 1));
        out.put("scalar_us_per_query", round(scalarUs, 1));
        out.put("stream_us", round(streamUs, 1));
        out.put("speedup_vs_scalar", round(scalarUs / simdUs, 2));
        out.put("fraction_of_bandwidth", round(streamUs / simdUs, 3));
        out.put("simd_gb_per_s", round(bytes / simdUs / 1e3, 2));
        out.put("stream_gb_per_s", round(bytes / streamUs / 1e3, 2));
        return out;
    }

    /** A stored row plus Gaussian noise, renormalised: cosine about 0.7 with the original. */
    private static float[] noisyCopy(float[] data, int off, int dim, SplittableRandom rnd) {
        float[] n = randomUnit(rnd, dim);
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = data[off + i] + n[i];
        }
        TemplateMatrix.normaliseRow(v, 0, dim);
        return v;
    }

    /** Writes the matrix to a fresh gallery in one import transaction, then times opening it. */
    private static Map<String, Object> sqliteLoad(Params p, TemplateMatrix.Snapshot s, PrintStream log) {
        Path dir;
        try {
            dir = Files.createTempDirectory(p.workDir(), "bench-gallery-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
            String sha = "0".repeat(64);
            Map<String, GalleryStore.Entry> entries = new LinkedHashMap<>();
            Instant now = Instant.now();
            for (int r = 0; r < s.rows(); r++) {
                String id = s.persons()[s.owner()[r]];
                float[] v = Arrays.copyOfRange(s.data(), r * p.dim(), (r + 1) * p.dim());
                entries.computeIfAbsent(id, k -> new GalleryStore.Entry(Person.of(k, k, null), new ArrayList<>()))
                        .templates().add(new Template(id, v, "bench-random", sha, 1.0, sha, now));
            }
            log.printf("writing %d templates to %s...%n", s.rows(), cfg.databaseFile());
            long t0 = System.nanoTime();
            try (GalleryStore st = GalleryStore.open(cfg.databaseFile())) {
                st.importEntries(new ArrayList<>(entries.values()), 100);
            }
            long writeMs = (System.nanoTime() - t0) / 1_000_000;
            entries.clear();
            System.gc();
            long t1 = System.nanoTime();
            int loaded;
            long inner;
            try (Gallery g = Gallery.open(cfg, "bench-random", sha)) {
                loaded = g.templateCount();
                inner = g.loadMillis();
            }
            long openMs = (System.nanoTime() - t1) / 1_000_000;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sqlite_write_ms", writeMs);
            out.put("sqlite_open_and_load_ms", openMs);
            out.put("sqlite_load_ms", inner);
            out.put("sqlite_templates_loaded", loaded);
            out.put("sqlite_file_mb", round(cfg.databaseFile().toFile().length() / 1e6, 1));
            return out;
        } finally {
            deleteTree(dir);
        }
    }

    private static int repsFor(Runnable op) {
        long t0 = System.nanoTime();
        op.run();
        long one = Math.max(1, System.nanoTime() - t0);
        return (int) Math.max(1, Math.min(100_000, 2_000_000L / one));
    }

    static float[] randomUnit(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        double ss = 0;
        for (int i = 0; i < dim; i++) {
            double g = gaussian(rnd);
            v[i] = (float) g;
            ss += g * g;
        }
        float inv = (float) (1 / Math.sqrt(ss));
        for (int i = 0; i < dim; i++) {
            v[i] *= inv;
        }
        return v;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = rnd.nextDouble(), w = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
    }

    static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        int n = c.length;
        return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException ignored) {
            // best effort for a temp dir
        }
    }
}

package io.facegate.bench;

import io.facegate.access.Candidate;
import io.facegate.config.GalleryConfig;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.GalleryStore;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;

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
 * {@code facegate bench search}: times the door's own 1:N search ({@link Gallery#best}) over random normalised
 * templates, written once to a fresh SQLite gallery and opened as the door opens it, in each search form
 * (float32, int8):
 * <ol>
 *   <li>the gallery with the SIMD matcher,</li>
 *   <li>the same gallery with the plain scalar loop ({@code gallery.simd: false}),</li>
 *   <li>a SIMD sequential sum over as many bytes: the memory-bandwidth bound of one query.</li>
 * </ol>
 * Harness: each timed sample repeats the operation until it lasts at least 2 ms; the three are interleaved
 * round by round after a warm-up, so frequency and cache state affect them alike; medians are reported. One form's
 * two galleries are open at a time.
 */
public final class SearchBenchmark {
    private static final String MODEL = "bench-random";
    private static final String SHA = "0".repeat(64);

    public record Params(int templates, int dim, int perPerson, int rounds, long seed, Path workDir) {
    }

    private SearchBenchmark() {
    }

    public static Map<String, Object> run(Params p, PrintStream log) {
        if (!MemoryBandwidth.available()) {
            throw new IllegalStateException("bench search needs the Vector API: run java with"
                    + " --add-modules jdk.incubator.vector");
        }
        SplittableRandom rnd = new SplittableRandom(p.seed());
        log.printf("generating %d random templates of %d dimensions...%n", p.templates(), p.dim());
        float[][] rows = new float[p.templates()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = randomUnit(rnd, p.dim());
        }
        float[][] probes = new float[64][];
        for (int i = 0; i < probes.length; i++) {
            // Half the probes are noisy copies of stored templates, so the best score is a realistic "mated" one.
            probes[i] = i % 2 == 0 ? randomUnit(rnd, p.dim()) : noisyCopy(rows[rnd.nextInt(rows.length)], rnd);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory(p.workDir(), "bench-gallery-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
            Map<String, Object> store = write(cfg, rows, p.perPerson(), log);
            rows = null; // the galleries hold their own copies from here on
            Map<String, Object> agreement = new LinkedHashMap<>();
            Map<String, Object> f32 = form(cfg, false, probes, p, agreement, log);
            Map<String, Object> i8 = form(cfg, true, probes, p, agreement, log);
            agreeAcrossForms(cfg, probes, agreement);
            boolean int8 = GalleryConfig.defaults().int8();

            Map<String, Object> out = new LinkedHashMap<>();
            out.put("templates", p.templates());
            out.put("dim", p.dim());
            out.put("persons", (p.templates() + p.perPerson() - 1) / p.perPerson());
            out.put("simd_kernel", f32.remove("kernel"));
            i8.remove("kernel");
            out.put("form", int8 ? "int8" : "float32");
            out.putAll(int8 ? i8 : f32);
            out.put("float32", f32);
            out.put("int8", i8);
            out.put("int8_vs_float32_speedup", round((double) f32.get("simd_us_per_query")
                    / (double) i8.get("simd_us_per_query"), 2));
            out.put("agreement", agreement);
            out.put("rounds", p.rounds());
            out.putAll(store);
            return out;
        } finally {
            deleteTree(dir);
        }
    }

    /** Writes every row to the gallery in one import transaction and times it and the first open. */
    private static Map<String, Object> write(GalleryConfig cfg, float[][] rows, int perPerson, PrintStream log) {
        Map<String, GalleryStore.Entry> entries = new LinkedHashMap<>();
        Instant now = Instant.now();
        for (int r = 0; r < rows.length; r++) {
            String id = "p" + (r / perPerson);
            entries.computeIfAbsent(id, k -> new GalleryStore.Entry(Person.of(k, k, null), new ArrayList<>()))
                    .templates().add(new Template(id, rows[r], MODEL, SHA, 1.0, SHA, now));
        }
        log.printf("writing %d templates to %s...%n", rows.length, cfg.databaseFile());
        long t0 = System.nanoTime();
        try (GalleryStore st = GalleryStore.open(cfg.databaseFile())) {
            st.importEntries(new ArrayList<>(entries.values()), Math.max(perPerson, 1));
        }
        long writeMs = (System.nanoTime() - t0) / 1_000_000;
        entries.clear();
        System.gc();
        long t1 = System.nanoTime();
        int loaded;
        long inner;
        try (Gallery g = Gallery.open(cfg, MODEL, SHA)) {
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
    }

    /** Times one search form: the SIMD gallery, the scalar one and the bandwidth bound, interleaved. */
    private static Map<String, Object> form(GalleryConfig cfg, boolean int8, float[][] probes, Params p,
                                            Map<String, Object> agreement, PrintStream log) {
        String name = int8 ? "int8" : "float32";
        try (Gallery simd = Gallery.open(cfg.withMatcher(true, int8), MODEL, SHA);
             Gallery scalar = Gallery.open(cfg.withMatcher(false, int8), MODEL, SHA)) {
            agree(simd, scalar, probes, name + "_simd_vs_scalar", agreement);
            long bytes = (long) simd.templateCount() * p.dim() * (int8 ? 1 : Float.BYTES);
            MemoryBandwidth stream = new MemoryBandwidth(Math.toIntExact(bytes));
            float[] sink = new float[1];
            int[] next = {0};
            List<Runnable> ops = List.of(
                    () -> sink[0] += simd.best(probes[next[0]++ & 63]).score(),
                    () -> sink[0] += scalar.best(probes[next[0]++ & 63]).score(),
                    () -> sink[0] += stream.sum());
            log.printf("%s: warming up...%n", name);
            double[][] samples = time(ops, p.rounds(), log);
            if (sink[0] == 42) {
                log.print(""); // keep the results alive
            }
            double simdUs = median(samples[0]);
            double scalarUs = median(samples[1]);
            double streamUs = median(samples[2]);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kernel", simd.matcherKernel());
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
    }

    /** Whether the int8 form names the same best person as float32, and how far its scores are. */
    private static void agreeAcrossForms(GalleryConfig cfg, float[][] probes, Map<String, Object> agreement) {
        try (Gallery f32 = Gallery.open(cfg.withMatcher(true, false), MODEL, SHA);
             Gallery i8 = Gallery.open(cfg.withMatcher(true, true), MODEL, SHA)) {
            agree(i8, f32, probes, "int8_vs_float32", agreement);
        }
    }

    /** How often two galleries name the same best person for the probes, and their largest score difference. */
    private static void agree(Gallery a, Gallery b, float[][] probes, String name, Map<String, Object> agreement) {
        int same = 0;
        double diff = 0;
        for (float[] q : probes) {
            Candidate x = a.best(q);
            Candidate y = b.best(q);
            same += x.personId().equals(y.personId()) ? 1 : 0;
            diff = Math.max(diff, Math.abs(x.score() - y.score()));
        }
        agreement.put(name + "_same_best", same + "/" + probes.length);
        agreement.put(name + "_max_score_diff", diff);
    }

    /** Warm-up for 3 s, then {@code rounds} rounds of every op in turn; microseconds per op. */
    private static double[][] time(List<Runnable> ops, int rounds, PrintStream log) {
        int n = ops.size();
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        int[] reps = new int[n];
        while (System.nanoTime() < warmEnd) {
            for (int k = 0; k < n; k++) {
                reps[k] = repsFor(ops.get(k));
            }
        }
        double[][] samples = new double[n][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < n; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps[k]; i++) {
                    ops.get(k).run();
                }
                samples[k][r] = (System.nanoTime() - t0) / 1e3 / reps[k];
            }
            log.printf("\rround %d/%d", r + 1, rounds);
        }
        log.println();
        return samples;
    }

    /** A stored row plus Gaussian noise, renormalised: cosine about 0.7 with the original. */
    private static float[] noisyCopy(float[] row, SplittableRandom rnd) {
        float[] n = randomUnit(rnd, row.length);
        float[] v = new float[row.length];
        for (int i = 0; i < row.length; i++) {
            v[i] = row[i] + n[i];
        }
        return normalised(v);
    }

    private static int repsFor(Runnable op) {
        long t0 = System.nanoTime();
        op.run();
        long one = Math.max(1, System.nanoTime() - t0);
        return (int) Math.max(1, Math.min(100_000, 2_000_000L / one));
    }

    static float[] randomUnit(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) gaussian(rnd);
        }
        return normalised(v);
    }

    private static float[] normalised(float[] v) {
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        float inv = (float) (1 / Math.sqrt(ss));
        for (int i = 0; i < v.length; i++) {
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

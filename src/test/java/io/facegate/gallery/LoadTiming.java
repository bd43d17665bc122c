package io.facegate.gallery;

import io.facegate.config.GalleryConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Manual timing of start-up load: args DIR N (creates DIR/gallery.db with N templates when absent). */
public final class LoadTiming {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        GalleryConfig cfg = GalleryConfig.defaults().withDataDir(dir);
        String sha = "0".repeat(64);
        if (!Files.exists(cfg.databaseFile())) {
            SplittableRandom rnd = new SplittableRandom(1);
            List<GalleryStore.Entry> es = new ArrayList<>();
            for (int i = 0; i < n; i += 5) {
                List<Template> ts = new ArrayList<>();
                for (int k = 0; k < 5; k++) {
                    ts.add(new Template("p" + i, RandomTemplates.unit(rnd, 512), "m", sha, 1, sha, Instant.now()));
                }
                es.add(new GalleryStore.Entry(Person.of("p" + i, "P " + i, null), ts));
            }
            long t0 = System.nanoTime();
            try (GalleryStore s = GalleryStore.open(cfg.databaseFile())) {
                s.importEntries(es, 5);
            }
            System.out.printf("write %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        }
        int opens = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int i = 0; i < opens; i++) {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long c0 = mx.getCurrentThreadCpuTime();
            long u0 = mx.getCurrentThreadUserTime();
            long t0 = System.nanoTime();
            try (Gallery g = Gallery.open(cfg, "m", sha)) {
                System.out.printf("open %d ms (thread cpu %d ms, of which user %d ms), load %d ms, check %d ms,"
                                + " %d templates%n", (System.nanoTime() - t0) / 1_000_000,
                        (mx.getCurrentThreadCpuTime() - c0) / 1_000_000,
                        (mx.getCurrentThreadUserTime() - u0) / 1_000_000, g.loadMillis(), g.store().checkMillis(),
                        g.templateCount());
            }
        }
    }
}

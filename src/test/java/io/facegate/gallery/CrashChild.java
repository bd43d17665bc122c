package io.facegate.gallery;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Child process of {@link CrashSafetyTest}: enrolls people with {@value #TEMPLATES} templates each, one
 * transaction per person, forever, printing "committed N" after each commit. The parent kills it mid-stream.
 */
public final class CrashChild {
    static final int TEMPLATES = 3;

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        SplittableRandom rnd = new SplittableRandom(prefix.hashCode());
        try (GalleryStore s = GalleryStore.open(file)) {
            for (int i = 0; ; i++) {
                String id = prefix + "-" + i;
                List<Template> ts = new ArrayList<>();
                for (int k = 0; k < TEMPLATES; k++) {
                    ts.add(new Template(id, RandomTemplates.unit(rnd, 512), "fr_feature", "a".repeat(64), 0.9,
                            Long.toHexString(rnd.nextLong()) + "0".repeat(48), Instant.now()));
                }
                s.enroll(Person.of(id, "Person " + i, null), ts, false, 5);
                System.out.println("committed " + (i + 1));
                System.out.flush();
            }
        }
    }
}

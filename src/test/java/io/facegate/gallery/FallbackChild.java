package io.facegate.gallery;

import java.util.List;
import java.util.SplittableRandom;

/** Child of {@link GalleryTest}: run without the Vector API module; prints the kernel chosen and a search result. */
public final class FallbackChild {
    public static void main(String[] args) {
        ScoreKernel k = Kernels.choose(true);
        SplittableRandom rnd = new SplittableRandom(3);
        TemplateMatrix m = new TemplateMatrix(512, 16, k, true);
        float[] a = RandomTemplates.unit(rnd, 512);
        m.add("a", List.of(a));
        m.add("b", List.of(RandomTemplates.unit(rnd, 512)));
        System.out.println("kernel=" + k.name() + " best=" + m.search(a).personId());
    }
}

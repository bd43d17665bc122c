package io.facegate.gallery;

import java.util.SplittableRandom;

/** Random unit-length templates for the gallery's tests: Gaussian directions, reproducible from the seed. */
final class RandomTemplates {
    private RandomTemplates() {
    }

    static float[] unit(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        double ss = 0;
        for (int i = 0; i < dim; i++) {
            double u = rnd.nextDouble(), w = rnd.nextDouble();
            double g = Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
            v[i] = (float) g;
            ss += g * g;
        }
        float inv = (float) (1 / Math.sqrt(ss));
        for (int i = 0; i < dim; i++) {
            v[i] *= inv;
        }
        return v;
    }
}

package io.facegate.gallery;

/**
 * The plain loop: the fallback when {@code jdk.incubator.vector} is absent at run time, and the baseline the
 * SIMD kernel is measured against. Deliberately not hand-unrolled, so it stays the obvious reference.
 */
final class ScalarKernel implements ScoreKernel {
    @Override
    public void scores(float[] matrix, int rows, int dim, float[] query, float[] out) {
        for (int r = 0, off = 0; r < rows; r++, off += dim) {
            float s = 0f;
            for (int j = 0; j < dim; j++) {
                s += query[j] * matrix[off + j];
            }
            out[r] = s;
        }
    }

    @Override
    public void scoresInt8(byte[] matrix, float[] scale, int rows, int dim, byte[] query8, float queryScale,
                           float[] out) {
        for (int r = 0, off = 0; r < rows; r++, off += dim) {
            int s = 0;
            for (int j = 0; j < dim; j++) {
                s += query8[j] * matrix[off + j];
            }
            out[r] = s * scale[r] * queryScale;
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}

package io.facegate.gallery;

/**
 * Scores a query against many templates stored row after row in one float array. Implementations differ only
 * in speed: the scores they give agree to float rounding.
 */
interface ScoreKernel {
    /** out[r] = dot(query, matrix[r*dim .. r*dim+dim)) for r in [0, rows). */
    void scores(float[] matrix, int rows, int dim, float[] query, float[] out);

    /**
     * out[r] = scale[r] * queryScale * dot(query8, int8 row r), the dot product exact in integers: the same cosine
     * from templates and query quantised to one byte per dimension (a quarter of the memory traffic).
     */
    void scoresInt8(byte[] matrix, float[] scale, int rows, int dim, byte[] query8, float queryScale, float[] out);

    /** A short name for reports ("simd-16x32bit", "scalar"). */
    String name();
}

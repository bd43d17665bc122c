package io.facegate.gallery;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD scoring with the incubating Vector API. Only ever loaded through {@link Kernels} after checking that the
 * {@code jdk.incubator.vector} module is in the boot layer, so a plain {@code java -jar} never touches it.
 *
 * <p>Four rows are scored at once: each query vector is loaded once and feeds four independent fused
 * multiply-add chains, which hides the FMA latency so the loop is limited by memory bandwidth, not by
 * arithmetic.
 */
final class VectorKernel implements ScoreKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Shorts filling a preferred vector; bytes with as many lanes; ints filling a preferred vector (half as many). */
    private static final VectorSpecies<Short> SH = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BH = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(SH.length() * Byte.SIZE));
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    @Override
    public void scores(float[] m, int rows, int dim, float[] q, float[] out) {
        int bound = S.loopBound(dim);
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int o0 = r * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            int j = 0;
            for (; j < bound; j += S.length()) {
                FloatVector qv = FloatVector.fromArray(S, q, j);
                a0 = qv.fma(FloatVector.fromArray(S, m, o0 + j), a0);
                a1 = qv.fma(FloatVector.fromArray(S, m, o1 + j), a1);
                a2 = qv.fma(FloatVector.fromArray(S, m, o2 + j), a2);
                a3 = qv.fma(FloatVector.fromArray(S, m, o3 + j), a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; j < dim; j++) {
                s0 += q[j] * m[o0 + j];
                s1 += q[j] * m[o1 + j];
                s2 += q[j] * m[o2 + j];
                s3 += q[j] * m[o3 + j];
            }
            out[r] = s0;
            out[r + 1] = s1;
            out[r + 2] = s2;
            out[r + 3] = s3;
        }
        for (; r < rows; r++) {
            int o = r * dim;
            FloatVector a = FloatVector.zero(S);
            int j = 0;
            for (; j < bound; j += S.length()) {
                a = FloatVector.fromArray(S, q, j).fma(FloatVector.fromArray(S, m, o + j), a);
            }
            float s = a.reduceLanes(VectorOperators.ADD);
            for (; j < dim; j++) {
                s += q[j] * m[o + j];
            }
            out[r] = s;
        }
    }

    /**
     * int8 x int8: bytes widen to 16-bit lanes (products of values in [-127, 127] fit), the products widen to
     * 32-bit lanes and accumulate exactly. Needs only integer widening, which is cheaper than byte-to-float
     * conversion, so the loop keeps up with memory.
     */
    @Override
    public void scoresInt8(byte[] m, float[] scale, int rows, int dim, byte[] q8, float queryScale, float[] out) {
        int step = SH.length();
        int bound = SH.loopBound(dim);
        ShortVector[] qv = new ShortVector[bound / step];
        for (int j = 0, k = 0; j < bound; j += step, k++) {
            qv[k] = (ShortVector) ByteVector.fromArray(BH, q8, j).convertShape(VectorOperators.B2S, SH, 0);
        }
        for (int r = 0, o = 0; r < rows; r++, o += dim) {
            IntVector acc0 = IntVector.zero(I);
            IntVector acc1 = IntVector.zero(I);
            int j = 0;
            for (int k = 0; j < bound; j += step, k++) {
                ShortVector t = (ShortVector) ByteVector.fromArray(BH, m, o + j)
                        .convertShape(VectorOperators.B2S, SH, 0);
                ShortVector p = t.mul(qv[k]);
                acc0 = acc0.add((IntVector) p.convertShape(VectorOperators.S2I, I, 0));
                acc1 = acc1.add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
            }
            int s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            for (; j < dim; j++) {
                s += q8[j] * m[o + j];
            }
            out[r] = s * scale[r] * queryScale;
        }
    }

    @Override
    public String name() {
        return "simd-" + S.length() + "x32bit";
    }
}

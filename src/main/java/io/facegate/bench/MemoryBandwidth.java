package io.facegate.bench;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The memory-bandwidth bound of one query: a SIMD sequential sum over as many bytes as the matcher reads. It
 * touches every byte and does the least work possible on each, so no search over those bytes can be faster.
 * Needs {@code --add-modules jdk.incubator.vector}; check {@link #available()} before making one.
 */
final class MemoryBandwidth {
    private final byte[] data;

    MemoryBandwidth(int bytes) {
        data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) i;
        }
    }

    /** True when the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    int sum() {
        VectorSpecies<Byte> bs = ByteVector.SPECIES_PREFERRED;
        int step = bs.length();
        int len = data.length;
        int bound = len - len % (4 * step);
        ByteVector a0 = ByteVector.zero(bs), a1 = ByteVector.zero(bs);
        ByteVector a2 = ByteVector.zero(bs), a3 = ByteVector.zero(bs);
        int i = 0;
        for (; i < bound; i += 4 * step) {
            a0 = a0.add(ByteVector.fromArray(bs, data, i));
            a1 = a1.add(ByteVector.fromArray(bs, data, i + step));
            a2 = a2.add(ByteVector.fromArray(bs, data, i + 2 * step));
            a3 = a3.add(ByteVector.fromArray(bs, data, i + 3 * step));
        }
        int s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += data[i];
        }
        return s;
    }
}

package io.facegate.gallery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the scoring kernel: SIMD when the Vector API module is present, else the scalar loop. */
final class Kernels {
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Kernels() {
    }

    /** True when the JVM was started with {@code --add-modules jdk.incubator.vector}. */
    static boolean simdAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * The SIMD kernel when wanted and available, else the scalar one. The vector class is created reflectively
     * so that nothing links against {@code jdk.incubator.vector} on a JVM that lacks it.
     */
    static ScoreKernel choose(boolean wantSimd) {
        if (wantSimd && simdAvailable()) {
            try {
                return (ScoreKernel) Class.forName("io.facegate.gallery.VectorKernel")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.warn("SIMD matcher unavailable ({}), using the scalar loop", e.toString());
            }
        } else if (wantSimd) {
            LOG.info("module {} not present (start java with --add-modules {}): using the scalar matcher",
                    VECTOR_MODULE, VECTOR_MODULE);
        }
        return new ScalarKernel();
    }

    static ScoreKernel scalar() {
        return new ScalarKernel();
    }
}

package io.facegate.gallery;

import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One face template of a person: the embedding and where it came from. Never holds the photo itself.
 *
 * @param embedding    L2-normalised feature vector
 * @param modelId      identifier of the feature model that made it
 * @param modelSha256  SHA-256 of that model file: templates of another model are never compared
 * @param quality      enrollment quality score in [0, 1]
 * @param photoSha256  SHA-256 of the source photo's bytes (to spot re-enrollment of the same file)
 * @param createdAt    when it was made
 */
public record Template(String personId, float[] embedding, String modelId, String modelSha256, double quality,
                       String photoSha256, Instant createdAt) {
    public Template {
        Person.requireValidId(personId);
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelSha256, "modelSha256");
        Objects.requireNonNull(photoSha256, "photoSha256");
        Objects.requireNonNull(createdAt, "createdAt");
        if (embedding.length == 0) {
            throw new IllegalArgumentException("empty embedding");
        }
    }

    /** Below this L2 norm an embedding carries no direction (normalising it would blow up to infinity or NaN). */
    static final double MIN_NORM = 1e-6;

    /**
     * Why an embedding may not be stored or compared, or empty when it may. The one check of template content:
     * every path that writes templates applies it before its transaction, and loading and {@code gallery verify}
     * apply it to rows already stored.
     *
     * @param expectedDim the feature model's dimension; 0 when the caller does not know it (then any length)
     */
    public static Optional<String> defect(float[] embedding, int expectedDim) {
        if (embedding == null || embedding.length == 0) {
            return Optional.of("empty embedding");
        }
        return Optional.ofNullable(defect(FloatBuffer.wrap(embedding), expectedDim));
    }

    /** As {@link #defect(float[], int)} over stored values (no copy), null when valid. */
    static String defect(FloatBuffer values, int expectedDim) {
        int n = values.remaining();
        if (expectedDim > 0 && n != expectedDim) {
            return n + " values, the model makes " + expectedDim;
        }
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float x = values.get(values.position() + i);
            if (!Float.isFinite(x)) {
                return "value " + i + " is " + x;
            }
            ss += (double) x * x;
        }
        if (!(Math.sqrt(ss) >= MIN_NORM)) {
            return "zero norm (an all-zero embedding matches nothing and cannot be normalised)";
        }
        return null;
    }

    /** Throws, naming the person and the cause, when {@link #defect(float[], int)} finds one. */
    public void requireValid(int expectedDim) {
        defect(embedding, expectedDim).ifPresent(d -> {
            throw new GalleryException("invalid template for " + personId + ": " + d);
        });
    }
}

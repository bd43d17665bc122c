package io.facegate.gallery;

import java.time.Instant;
import java.util.Objects;

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
}

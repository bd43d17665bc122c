package io.facegate.vision;

/**
 * Identity of a loaded model: templates record it so that embeddings from different models are never compared.
 *
 * @param id     a stable name, for example {@code fr_feature}
 * @param sha256 hex SHA-256 of the model file
 */
public record ModelInfo(String id, String sha256) {
}

package io.facegate.vision;

/**
 * Identity of a loaded model: templates record it so that embeddings from different models are never compared.
 *
 * @param id     a stable name, for example {@code fr_feature}
 * @param sha256 hex SHA-256 of the model file
 */
public record ModelInfo(String id, String sha256) {
    /** The id of the model a lock entry names: its file name without {@code .onnx}. */
    public static String idOf(ModelPack.Entry entry) {
        return entry.file().replaceFirst("\\.onnx$", "");
    }

    /** The identity of the model a lock entry names. */
    public static ModelInfo of(ModelPack.Entry entry) {
        return new ModelInfo(idOf(entry), entry.sha256());
    }
}

package io.facegate.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static io.facegate.config.ConfigException.require;

/**
 * YAML section {@code vision}: where the models are, how ONNX Runtime runs them, and the detector's settings.
 *
 * @param modelsDir          folder holding the files named in models.lock (default: $FACEGATE_MODELS or ./models)
 * @param providers          execution providers tried in order: tensorrt, cuda, cpu; the first that loads is used
 * @param intraOpThreads     ONNX Runtime threads per model; 1 is fastest and steadiest on a 2-core board
 * @param detectScore        minimum face probability for a detection
 * @param detectNmsIou       boxes overlapping more than this are merged by non-maximum suppression
 * @param detectPadding      {@code adaptive} (default): also detect on a padded image when nothing is found or
 *                           the largest face fills over half the image or touches its border (tight crops), and
 *                           keep the padded boxes; {@code auto}: pad only when nothing is found; {@code always};
 *                           {@code never}
 * @param maxImagePixels     decoded images larger than this are refused (decompression bombs)
 * @param verifyModelHashes  recompute the SHA-256 of every model at start and refuse files that differ from the lock
 */
public record VisionConfig(Path modelsDir, List<String> providers, Integer intraOpThreads, Double detectScore,
                           Double detectNmsIou, String detectPadding, Long maxImagePixels,
                           Boolean verifyModelHashes) {

    public static final List<String> KNOWN_PROVIDERS = List.of("tensorrt", "cuda", "cpu");
    public static final List<String> PADDING_MODES = List.of("adaptive", "auto", "always", "never");

    public VisionConfig {
        if (modelsDir == null) {
            String env = System.getenv("FACEGATE_MODELS");
            modelsDir = Path.of(env == null || env.isBlank() ? "models" : env);
        }
        providers = providers == null ? List.of("cpu")
                : providers.stream().map(p -> p.toLowerCase(Locale.ROOT).trim()).toList();
        intraOpThreads = intraOpThreads == null ? 1 : intraOpThreads;
        detectScore = detectScore == null ? 0.65 : detectScore;
        detectNmsIou = detectNmsIou == null ? 0.4 : detectNmsIou;
        detectPadding = detectPadding == null ? "adaptive" : detectPadding.toLowerCase(Locale.ROOT);
        maxImagePixels = maxImagePixels == null ? 40_000_000L : maxImagePixels;
        verifyModelHashes = verifyModelHashes == null || verifyModelHashes;

        require(!modelsDir.toString().isBlank(), "vision.models_dir", "must name a folder");
        require(!providers.isEmpty(), "vision.providers", "must name at least one provider");
        for (String p : providers) {
            require(KNOWN_PROVIDERS.contains(p), "vision.providers", "unknown provider '" + p + "' (known: "
                    + String.join(", ", KNOWN_PROVIDERS) + ")");
        }
        require(intraOpThreads >= 1 && intraOpThreads <= 64, "vision.intra_op_threads", "must be 1..64");
        require(detectScore > 0 && detectScore < 1, "vision.detect_score", "must be in (0, 1)");
        require(detectNmsIou > 0 && detectNmsIou < 1, "vision.detect_nms_iou", "must be in (0, 1)");
        require(PADDING_MODES.contains(detectPadding), "vision.detect_padding", "must be one of " + PADDING_MODES);
        require(maxImagePixels >= 1, "vision.max_image_pixels", "must be positive");
    }

    public static VisionConfig defaults() {
        return new VisionConfig(null, null, null, null, null, null, null, null);
    }

    public VisionConfig withModelsDir(Path dir) {
        return new VisionConfig(dir, providers, intraOpThreads, detectScore, detectNmsIou, detectPadding,
                maxImagePixels, verifyModelHashes);
    }

    public VisionConfig withDetectPadding(String mode) {
        return new VisionConfig(modelsDir, providers, intraOpThreads, detectScore, detectNmsIou, mode,
                maxImagePixels, verifyModelHashes);
    }

    public VisionConfig withThreads(int threads) {
        return new VisionConfig(modelsDir, providers, threads, detectScore, detectNmsIou, detectPadding,
                maxImagePixels, verifyModelHashes);
    }
}

package io.facegate.cli;

import io.facegate.config.VisionConfig;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by every command that runs the face pipeline. */
public final class VisionOptions {
    @Option(names = "--models", paramLabel = "DIR",
            description = "Model folder holding models.lock (default: $FACEGATE_MODELS or ./models).")
    Path models;

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime intra-op threads per model (default: 1, the fastest on 2 cores).")
    Integer threads;

    public VisionConfig config() {
        VisionConfig c = VisionConfig.defaults();
        if (models != null) {
            c = c.withModelsDir(models);
        }
        if (threads != null) {
            c = c.withThreads(threads);
        }
        return c;
    }

    public FacePipeline open() {
        return FacePipeline.open(config());
    }
}

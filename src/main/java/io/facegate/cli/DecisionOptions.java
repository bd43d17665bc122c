package io.facegate.cli;

import io.facegate.access.DecisionRule;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.config.VisionConfig;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Options of every command that decides (benchmarks, {@code compare}): the same YAML as {@code run}, so that what
 * is measured is the rule the door applies, with the model folder and thread count overridable.
 */
public final class DecisionOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "YAML configuration as for `run` (its vision, gallery and access sections are used;"
                    + " default: built-in defaults).")
    Path config;

    @Option(names = "--models", paramLabel = "DIR",
            description = "Model folder holding models.lock (default: vision.models_dir, $FACEGATE_MODELS or ./models).")
    Path models;

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime intra-op threads per model (default: 1, the fastest on 2 cores).")
    Integer threads;

    /** The configuration file (or the defaults) with the command-line overrides applied. */
    public FacegateConfig facegate() {
        FacegateConfig c = config == null ? FacegateConfig.defaults() : ConfigLoader.load(config);
        VisionConfig v = c.vision();
        if (models != null) {
            v = v.withModelsDir(models);
        }
        if (threads != null) {
            v = v.withThreads(threads);
        }
        return c.withVision(v);
    }

    public FacePipeline openVision() {
        return FacePipeline.open(facegate().vision());
    }

    /** The door's decision rule for the models {@code vision} runs. */
    public DecisionRule rule(FacePipeline vision) {
        FacegateConfig c = facegate();
        return DecisionRule.load(c.access(), c.vision().modelsDir(), vision.featureModel().sha256());
    }
}

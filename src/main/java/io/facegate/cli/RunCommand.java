package io.facegate.cli;

import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.daemon.Facegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.facegate.config.ConfigException;
import io.facegate.config.ConfigPaths;
import io.facegate.mqtt.AdminKeys;
import io.facegate.vision.ModelPack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code facegate run}: the daemon, as systemd starts it. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the door controller daemon: camera -> faces -> gallery -> decision -> door + MQTT.",
                "Stops on SIGTERM: stops deciding, locks the door, flushes events, publishes offline, exits 0."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The YAML configuration (see deploy/facegate.yml).")
    Path config;

    @Option(names = "--check", description = "Validate the configuration and exit.")
    boolean check;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        FacegateConfig cfg = ConfigLoader.load(config);
        List<String> problems = new ArrayList<>(ConfigPaths.problems(cfg));
        if (check && problems.isEmpty()) {
            problems.addAll(contentProblems(cfg));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(config + ": " + String.join("\n  ", problems));
        }
        if (check) {
            spec.commandLine().getOut().println(config + ": configuration is valid; models, keys and paths checked");
            return 0;
        }
        Facegate daemon = Facegate.start(cfg, Facegate.Options.defaults());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping (signal)");
            daemon.close();
            stopped.countDown();
            // an orderly stop is a success: exit 0 rather than the JVM's 143 for SIGTERM
            Runtime.getRuntime().halt(0);
        }, "facegate-shutdown"));
        daemon.awaitPipeline();
        // the camera source ended (a file): stop as on a signal, unless the signal is already doing so
        daemon.close();
        stopped.countDown();
        return 0;
    }

    /** What only reading the files tells: the model lock and models, the admin keys. */
    private static List<String> contentProblems(FacegateConfig cfg) {
        List<String> out = new ArrayList<>();
        try {
            ModelPack pack = ModelPack.load(cfg.vision().modelsDir());
            for (String role : List.of("detect", "landmark", "feature", "liveness")) {
                pack.verify(pack.entry(role), cfg.vision().verifyModelHashes());
            }
        } catch (RuntimeException e) {
            out.add("vision.models_dir: " + e.getMessage());
        }
        if (cfg.mqtt().enabled()) {
            try {
                AdminKeys.trusted(cfg.mqtt().adminPublicKeys());
            } catch (RuntimeException e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }
}

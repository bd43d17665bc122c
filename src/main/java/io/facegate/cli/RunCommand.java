package io.facegate.cli;

import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.daemon.Facegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import io.facegate.config.ConfigException;
import io.facegate.config.ConfigPaths;
import io.facegate.mqtt.AdminKeys;
import io.facegate.vision.ModelPack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code facegate run}: the daemon, as systemd starts it. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the door controller daemon: camera -> faces -> gallery -> decision -> door + MQTT.",
                "Stops on SIGTERM: stops deciding, locks the door, flushes events, publishes offline, exits 0.",
                "Exits 3 when it cannot go on (camera gone, every frame failing for pipeline.give_up_after_ms)."})
public final class RunCommand implements Callable<Integer> {
    /** Exit status when the daemon cannot go on (camera gone, every frame failing): systemd restarts it. */
    static final int FAILED = 3;
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
        Facegate daemon = Facegate.create(cfg, Facegate.Options.defaults());
        // 0 after an orderly stop on a signal; set before the JVM exits when the daemon cannot go on
        AtomicInteger exitStatus = new AtomicInteger(0);
        AtomicBoolean signalled = new AtomicBoolean();
        // SIGTERM and SIGINT are handled here instead of by the JVM's shutdown: JVM shutdown hooks run all at
        // once, and ONNX Runtime's own hook frees its environment while the pipeline may still be inside an
        // inference (a segfault). The daemon stops in order first (pipeline, door locked, camera, MQTT, models),
        // and only then does the JVM exit, 0 for an orderly stop. Installed before anything starts.
        Runnable stopOnSignal = () -> {
            signalled.set(true);
            log.info("stopping (signal)");
            daemon.close();
            System.exit(exitStatus.get());
        };
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), sig -> stopOnSignal.run());
        }
        // any other way out of the JVM (System.exit elsewhere, SIGHUP) still locks the door first
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "facegate-shutdown"));
        try {
            daemon.start();
        } catch (RuntimeException e) {
            if (signalled.get()) {
                return 0; // a start cut short by SIGTERM is an orderly stop (the signal handler exits 0 too)
            }
            exitStatus.set(2);
            throw e;
        }
        daemon.awaitPipeline();
        String failure = daemon.failure();
        if (failure != null) {
            exitStatus.set(FAILED);
        }
        // the pipeline ended (a file's end, or it gave up): stop as on a signal, unless the signal is already doing so
        daemon.close();
        if (failure != null) {
            log.error("facegate cannot continue, exiting with status {} so that systemd restarts it: {}", FAILED,
                    failure);
            spec.commandLine().getErr().println("facegate run: cannot continue: " + failure);
            return FAILED;
        }
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
            if (cfg.mqtt().fleetSync()) {
                try {
                    io.facegate.mqtt.FleetKeyRing.load(java.nio.file.Path.of(cfg.mqtt().fleetKeyFile()));
                } catch (IllegalArgumentException e) {
                    out.add("mqtt.fleet_key_file: " + e.getMessage());
                }
            }
        }
        return out;
    }
}

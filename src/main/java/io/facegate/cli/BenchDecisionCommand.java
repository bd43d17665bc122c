package io.facegate.cli;

import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import io.facegate.access.AccessPolicy;
import io.facegate.access.Decision;
import io.facegate.access.DecisionRule;
import io.facegate.access.FrameQuality;
import io.facegate.access.Recognition;
import io.facegate.access.ScoreCalibration;
import io.facegate.config.AccessConfig;
import io.facegate.config.DoorConfig;
import io.facegate.config.GalleryConfig;
import io.facegate.config.VisionConfig;
import io.facegate.config.Yaml;
import io.facegate.door.DoorController;
import io.facegate.door.ExecutorDoorScheduler;
import io.facegate.door.Pi4jDoorHardware;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code facegate bench decision}: the latency from the frame that completes a track's evidence (right after its
 * embedding was made) to the relay output switching, through the real AccessPolicy (fusion, the gallery search
 * over a real SQLite gallery of one person, the decision rule), DoorController and Pi4J (mock provider, so no
 * hardware is needed and no door moves). Prints JSON.
 */
@Command(name = "decision", mixinStandardHelpOptions = true,
        description = {"Measure decision latency: last frame's embedding -> access policy (fusion, gallery search,"
                + " rule) -> door controller -> relay output switched (Pi4J mock provider).",
                "Prints median, p90, p99 in microseconds as JSON."})
public final class BenchDecisionCommand implements Callable<Integer> {

    @Option(names = "--iterations", defaultValue = "20000", description = "measured decisions (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--warmup", defaultValue = "20000", description = "unmeasured decisions first, for the JIT (default: ${DEFAULT-VALUE})")
    int warmup;

    private static final int DIM = 512;
    /** A frame that passes every quality gate. */
    private static final FrameQuality GOOD = new FrameQuality(Double.MAX_VALUE, Double.MAX_VALUE, 100, 0, 0);

    /** When the relay output last switched to unlocked (System.nanoTime), written by the Pi4J listener. */
    private volatile long switchedAt;

    @Override
    public Integer call() throws Exception {
        if (iterations < 1 || warmup < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--iterations must be >= 1, --warmup >= 0");
        }
        DoorConfig doorCfg = DoorConfig.defaults(); // mock provider, fail-secure, active-high
        AccessConfig accessCfg = Yaml.mapper().readValue("default_schedule: always\ntime_zone: UTC\n",
                AccessConfig.class);
        Pi4jDoorHardware hw = new Pi4jDoorHardware(doorCfg, false);
        DigitalOutput relay = hw.relayOutput();
        DigitalState unlockedLevel = DigitalState.HIGH;
        relay.addListener(e -> {
            if (e.state() == unlockedLevel) {
                switchedAt = System.nanoTime();
            }
        });
        DecisionRule rule = new DecisionRule(accessCfg, ScoreCalibration.read(accessCfg.calibrationIn(
                VisionConfig.defaults().modelsDir())));
        float[] face = new float[DIM];
        face[0] = 1;
        Path dir = Files.createTempDirectory("bench-decision-");
        try (Gallery gallery = Gallery.open(GalleryConfig.defaults().withDataDir(dir), "bench", "0".repeat(64));
             DoorController door = new DoorController(hw, doorCfg, Clock.systemUTC(), new ExecutorDoorScheduler())) {
            gallery.enroll(Person.of("bench", "Bench Person", null), List.of(new Template("bench", face, "bench",
                    "0".repeat(64), 1.0, "0".repeat(64), Instant.now())), false);
            door.start();
            AccessPolicy policy = new AccessPolicy(rule, gallery, gallery, Clock.systemUTC(),
                    () -> door.state().openOrUnlocked(), () -> door.state().lockdown());
            run(policy, door, face, accessCfg.minFrames(), warmup, null);
            long[] nanos = new long[iterations];
            run(policy, door, face, accessCfg.minFrames(), iterations, nanos);
            Arrays.sort(nanos);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("benchmark", "decision");
            out.put("path", "Recognition (the concluding frame) -> AccessPolicy.offer (fuse, Gallery.best, DecisionRule)"
                    + " -> DoorController.grant -> Pi4J relay output");
            out.put("iterations", iterations);
            out.put("warmup", warmup);
            out.put("min_frames", accessCfg.minFrames());
            out.put("median_us", micros(nanos[nanos.length / 2]));
            out.put("p90_us", micros(nanos[(int) (nanos.length * 0.90)]));
            out.put("p99_us", micros(nanos[(int) (nanos.length * 0.99)]));
            out.put("max_us", micros(nanos[nanos.length - 1]));
            out.put("target_us", 1000);
            out.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            out.put("cpus", Runtime.getRuntime().availableProcessors());
            System.out.println(Yaml.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        }
        return 0;
    }

    private void run(AccessPolicy policy, DoorController door, float[] face, int k, int count, long[] nanos) {
        for (int i = 0; i < count; i++) {
            long track = (nanos == null ? 0 : 1L << 40) + i;
            Instant now = Instant.now();
            // the frame that concludes is timed: the first alone when it clears the single-frame bar (the enrolled
            // template itself does), else the min_frames-th, fused
            Optional<Decision> d = Optional.empty();
            long t0 = 0;
            for (int f = 0; f < k && d.isEmpty(); f++) {
                switchedAt = 0;
                t0 = System.nanoTime();
                d = policy.offer(new Recognition(track, face, GOOD, 0.95, now));
            }
            if (d.isEmpty() || !d.get().granted() || !door.grant(d.get()) || switchedAt == 0) {
                throw new IllegalStateException("the benchmark decision did not open the door: " + d);
            }
            if (nanos != null) {
                nanos[i] = switchedAt - t0;
            }
            door.lock("bench");
            policy.forget(track);
        }
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchDecisionCommand()).execute(args));
    }
}

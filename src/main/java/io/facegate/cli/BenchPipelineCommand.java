package io.facegate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.access.DecisionRule;
import io.facegate.bench.Percentiles;
import io.facegate.bench.Rss;
import io.facegate.config.FacegateConfig;
import io.facegate.demo.DemoRun;
import io.facegate.demo.Scenario;
import io.facegate.demo.VisitRecorder;
import io.facegate.mqtt.EmbeddedBroker;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code facegate bench pipeline}: the real daemon (mock door, embedded broker) on visits made of photos. One pass
 * at the camera's frame rate measures time to unlock and who got in; one pass as fast as frames can be processed
 * measures throughput (frames processed per second when a new frame is always waiting); an optional soak loops the visits for many frames and watches resident memory.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"End-to-end benchmark through the daemon on photos DIR/<person>/<photo>.",
                "The 1st, 3rd, ... people are enrolled with their first 2 photos, the others are strangers, every"
                        + " other photo is a visit."})
public final class BenchPipelineCommand implements Callable<Integer> {
    @Option(names = "--faces", required = true, paramLabel = "DIR", description = "Folder of <person>/<photo>.")
    Path faces;

    @Option(names = "--fps", defaultValue = "30", description = "Camera frame rate of the timed pass (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--frames-per-visit", defaultValue = "12", description = "Frames each visit lasts (default: ${DEFAULT-VALUE}).")
    int framesPerVisit;

    @Option(names = "--soak-frames", defaultValue = "0",
            description = "Also loop the visits at full speed for this many frames and report resident memory.")
    long soakFrames;

    @Option(names = "--json", description = "Print one JSON object on standard output.")
    boolean json;

    @Option(names = "--liveness", defaultValue = "on", paramLabel = "on|off",
            description = "off: judge recognition alone, without the liveness gate (default: ${DEFAULT-VALUE}, as"
                    + " access.liveness_enabled says)")
    String liveness;

    @Mixin
    DecisionOptions options;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("facegate-bench");
        Map<String, Object> r = new LinkedHashMap<>();
        try (EmbeddedBroker broker = EmbeddedBroker.start(work)) {
            if (!liveness.equals("on") && !liveness.equals("off")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--liveness must be on or off");
            }
            FacegateConfig base = options.facegate();
            if (liveness.equals("off")) {
                base = base.withAccess(base.access().withLiveness(false));
            }
            FacegateConfig cfg = DemoRun.config(work, base, broker.uri(), null);
            double rssStart = Rss.megabytes();
            Scenario scenario;
            DemoRun.Enrolled enrolled;
            try (FacePipeline pipeline = FacePipeline.open(cfg.vision())) {
                scenario = Scenario.fromFolder(faces, pipeline);
                enrolled = DemoRun.enroll(cfg, pipeline, scenario);
                DecisionRule rule = DecisionRule.load(cfg.access(), cfg.vision().modelsDir(),
                        pipeline.featureModel().sha256());
                r.put("threshold", Percentiles.round3(rule.threshold(enrolled.templates())));
                r.put("expected_fnir", Percentiles.round3(rule.expectedFnir(enrolled.templates())));
            }
            try (scenario) {
                DemoRun.Result timed = DemoRun.run(cfg, scenario, enrolled, DemoRun.Camera.walkUps(framesPerVisit, fps,
                        cfg.pipeline().trackExpireMs(), false), broker, null);
                double fullSpeedFps = DemoRun.throughput(cfg, scenario, framesPerVisit, 10);
                VisitRecorder.Summary s = timed.visits();
                double[] ttu = s.timeToUnlockMs().stream().mapToDouble(Double::doubleValue).toArray();
                r.put("dataset", faces.toString());
                r.put("liveness", cfg.access().livenessEnabled());
                r.put("target_fpir", cfg.access().targetFpir());
                r.put("enrolled_people", enrolled.people().size());
                r.put("enrolled_templates", enrolled.templates());
                r.put("enrollment_refused", enrolled.refused());
                r.put("visits", scenario.visitors().size());
                r.put("camera_fps", fps);
                r.put("fps", round1(fullSpeedFps));
                Map<String, Double> t = new LinkedHashMap<>();
                t.put("p50", Percentiles.round3(Percentiles.of(ttu, 50)));
                t.put("p90", Percentiles.round3(Percentiles.of(ttu, 90)));
                r.put("time_to_unlock_ms", t);
                r.put("granted_enrolled", s.enrolledPeopleGranted());
                r.put("enrolled_people_visiting", s.enrolledPeopleVisiting());
                r.put("granted_enrolled_visits", s.grantedEnrolledVisits());
                r.put("enrolled_visits", s.enrolledVisits());
                r.put("granted_strangers", s.grantedStrangerVisits());
                r.put("granted_wrong_person", s.wrongPersonGrants());
                r.put("denied_strangers", s.deniedStrangerVisits());
                r.put("stranger_visits", s.strangerVisits());
                r.put("denials", s.denials());
                r.put("stage_latency_ms", stageMedians(timed));
                r.put("rss_mb_start", round1(rssStart));
                r.put("rss_mb_end", round1(Rss.megabytes()));
                if (soakFrames > 0) {
                    soak(cfg, scenario, r);
                }
            }
        } finally {
            DemoRun.deleteTree(work);
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-28s %s%n", k, v));
        }
        return 0;
    }

    /**
     * One daemon on the visits looped until it has processed --soak-frames frames, watching resident memory. The
     * camera runs at 120 fps, faster than the pipeline, so it is never idle and frames are also dropped.
     */
    private void soak(FacegateConfig cfg, Scenario scenario, Map<String, Object> r) throws InterruptedException {
        DemoRun.Soak s = DemoRun.soak(cfg, scenario, new DemoRun.Camera(640, 480, framesPerVisit, 4, 120, true),
                soakFrames, seen -> System.err.printf(Locale.ROOT, "\rsoak %d / %d frames, rss %.1f MB", seen,
                        soakFrames, Rss.megabytes()));
        System.err.println();
        r.put("soak_frames", s.frames());
        r.put("soak_seconds", round1(s.seconds()));
        r.put("soak_rss_mb_after_warmup", round1(s.rssMbAfterWarmup()));
        r.put("soak_rss_mb_end", round1(s.rssMbEnd()));
        r.put("soak_rss_growth_percent", round1(100 * (s.rssMbEnd() - s.rssMbAfterWarmup()) / s.rssMbAfterWarmup()));
    }

    private static Map<String, Double> stageMedians(DemoRun.Result res) {
        Map<String, Double> m = new LinkedHashMap<>();
        res.metrics().stages().forEach((stage, st) -> m.put(stage, Percentiles.round3(st.p50Ms())));
        return m;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}

package io.facegate.demo;

import io.facegate.bench.Rss;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.config.VisionConfig;
import io.facegate.daemon.Facegate;
import io.facegate.daemon.PipelineMetrics;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.mqtt.EmbeddedBroker;
import io.facegate.vision.FacePipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One run of the real daemon against a scenario: an embedded MQTT broker on loopback, the Pi4J mock door, the
 * gallery in a scratch folder, the people of the scenario enrolled through the real enroller, and a camera that
 * plays their visits. Shared by {@code facegate demo} and {@code facegate bench pipeline}.
 */
public final class DemoRun {
    public static final String DEVICE = "demo-door";

    /** How the camera plays the visits. */
    public record Camera(int width, int height, int framesPerVisit, int emptyFrames, double fps, boolean loop) {
        /**
         * Visits separated by long enough a gap for the tracker to let the last person go, as when one person
         * walks through and the next one walks up (back-to-back frames of one person are one stay at the door).
         */
        public static Camera walkUps(int framesPerVisit, double fps, long trackExpireMs, boolean loop) {
            int gap = fps > 0 ? (int) Math.ceil(fps * (trackExpireMs + 200) / 1000.0) : 4;
            return new Camera(640, 480, framesPerVisit, gap, fps, loop);
        }

        public VisitFrameSource source(List<VisitFrameSource.Visit> visits, VisitFrameSource.VisitListener listener) {
            return new VisitFrameSource(visits, width, height, framesPerVisit, emptyFrames, fps, loop, listener);
        }
    }

    /** Enrollment results: who got in the gallery, and photos refused by the quality gates. */
    public record Enrolled(Set<String> people, int templates, List<String> refused) {
    }

    public record Result(Enrolled enrolled, VisitRecorder.Summary visits, PipelineMetrics.Snapshot metrics,
                         double seconds, double rssMbStart, double rssMbEnd) {
    }

    private DemoRun() {
    }

    /** The configuration of a demo door: everything real except the hardware, in {@code work}. */
    public static FacegateConfig config(Path work, VisionConfig vision, String brokerUri) {
        return config(work, vision, brokerUri, null);
    }

    /** As {@link #config(Path, VisionConfig, String)}, trusting the admin public key file {@code adminPub}. */
    public static FacegateConfig config(Path work, VisionConfig vision, String brokerUri, Path adminPub) {
        return config(work, FacegateConfig.defaults().withVision(vision), brokerUri, adminPub);
    }

    /**
     * The run's configuration on top of {@code base} (a user's YAML for {@code bench pipeline --config}): its
     * vision and access settings (the decision rule under test), with the gallery in {@code work}, everyone's
     * schedule open, the mock door and the run's broker.
     */
    public static FacegateConfig config(Path work, FacegateConfig base, String brokerUri, Path adminPub) {
        String yaml = String.join("\n",
                "door:",
                "  provider: mock",
                "  unlock_ms: 1000",
                "  modes_path: '" + work.resolve("door.modes").toAbsolutePath() + "'",
                "mqtt:",
                "  broker_uri: " + brokerUri,
                "  device_id: " + DEVICE,
                "  state_path: '" + work.resolve("mqtt-state.db").toAbsolutePath() + "'",
                adminPub == null ? "" : "  admin_public_keys: ['" + adminPub.toAbsolutePath() + "']",
                "");
        FacegateConfig run = ConfigLoader.parse(yaml);
        return base.withGallery(base.gallery().withDataDir(work))
                .withAccess(base.access().withDefaultSchedule("always"))
                .withDoor(run.door())
                .withMqtt(run.mqtt());
    }

    /** Enrolls the scenario's people through the quality gates, into the gallery the daemon will open. */
    public static Enrolled enroll(FacegateConfig cfg, FacePipeline vision, Scenario scenario) {
        List<String> refused = new ArrayList<>();
        Set<String> people = new java.util.TreeSet<>();
        int templates = 0;
        try (Gallery gallery = Gallery.open(cfg.gallery(), vision.featureModel())) {
            Enroller enroller = new Enroller(vision, gallery);
            for (Scenario.Enrollee e : scenario.enrollees()) {
                Enroller.Outcome o = enroller.enroll(Person.of(e.id(), e.name(), Set.of("staff")), e.photos(), true);
                for (Enroller.PhotoOutcome p : o.photos()) {
                    if (!p.accepted()) {
                        refused.add(e.id() + ": " + Path.of(p.source()).getFileName() + ": " + p.message());
                    }
                }
                if (o.change().isPresent()) {
                    people.add(e.id());
                    templates += o.accepted();
                }
            }
        }
        return new Enrolled(people, templates, refused);
    }

    /**
     * Runs the daemon until every visit has been played, then stops it (door locked, events flushed).
     *
     * @param display live lines of what happens, or null
     */
    public static Result run(FacegateConfig cfg, Scenario scenario, Enrolled enrolled, Camera camera,
                             EmbeddedBroker broker, Consumer<VisitRecorder.Line> display) throws InterruptedException {
        return run(cfg, scenario, enrolled, camera, broker, display, null);
    }

    /** As above; {@code beforeStop} runs once every visit has been played, while the daemon still runs. */
    public static Result run(FacegateConfig cfg, Scenario scenario, Enrolled enrolled, Camera camera,
                             EmbeddedBroker broker, Consumer<VisitRecorder.Line> display, Runnable beforeStop)
            throws InterruptedException {
        VisitRecorder recorder = new VisitRecorder(scenario.visitors(), enrolled.people(), display);
        VisitFrameSource source = camera.source(scenario.visits(), recorder);
        double rssStart = Rss.megabytes();
        long t0 = System.nanoTime();
        Facegate daemon = Facegate.start(cfg, new Facegate.Options(source, recorder, java.time.Clock.systemUTC()));
        PipelineMetrics.Snapshot metrics;
        try {
            daemon.awaitPipeline();
            metrics = daemon.metrics().snapshot();
            if (beforeStop != null) {
                beforeStop.run();
            }
            waitForOutbox(daemon);
        } finally {
            daemon.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(enrolled, recorder.summary(), metrics, seconds, rssStart, Rss.megabytes());
    }

    /**
     * Frames the daemon processes per second when a new frame is always waiting: the visits looped with no
     * pacing, counted over {@code seconds} after a warm-up of two seconds.
     */
    public static double throughput(FacegateConfig cfg, Scenario scenario, int framesPerVisit, double seconds)
            throws InterruptedException {
        VisitFrameSource source = new Camera(640, 480, framesPerVisit, 4, 0, true).source(scenario.visits(), null);
        Facegate daemon = Facegate.start(cfg, new Facegate.Options(source, null, java.time.Clock.systemUTC()));
        try {
            Thread.sleep(2000);
            long p0 = daemon.metrics().snapshot().framesProcessed();
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long p1 = daemon.metrics().snapshot().framesProcessed();
            return (p1 - p0) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            daemon.close();
        }
    }

    /** Resident memory over a long run: after warm-up and at the end. */
    public record Soak(long frames, double seconds, double rssMbAfterWarmup, double rssMbEnd) {
    }

    /**
     * Runs one daemon on the scenario's visits, looped, until the pipeline has processed {@code frames} frames,
     * sampling resident memory after the first 5% (warm-up: models, JIT, arenas) and at the end.
     */
    public static Soak soak(FacegateConfig cfg, Scenario scenario, Camera camera, long frames,
                            java.util.function.LongConsumer progress) throws InterruptedException {
        VisitFrameSource source = new Camera(camera.width(), camera.height(), camera.framesPerVisit(),
                camera.emptyFrames(), camera.fps(), true).source(scenario.visits(), null);
        long t0 = System.nanoTime();
        double warm = Double.NaN;
        long seen = 0;
        double end;
        Facegate daemon = Facegate.start(cfg, new Facegate.Options(source, null, java.time.Clock.systemUTC()));
        try {
            while (seen < frames) {
                Thread.sleep(1000);
                PipelineMetrics.Snapshot m = daemon.metrics().snapshot();
                seen = m.framesProcessed();
                if (Double.isNaN(warm) && seen >= frames / 20) {
                    System.gc();
                    warm = Rss.megabytes();
                }
                progress.accept(seen);
            }
            System.gc();
            end = Rss.megabytes();     // while the daemon still runs: what it holds after the soak
        } finally {
            daemon.close();
        }
        return new Soak(seen, (System.nanoTime() - t0) / 1e9, warm, end);
    }

    /** Gives the publisher a moment to deliver what the outbox holds (it would be delivered after a restart too). */
    private static void waitForOutbox(Facegate daemon) throws InterruptedException {
        if (daemon.mqtt() == null) {
            return;
        }
        for (int i = 0; i < 50 && daemon.mqtt().outboxDepth() > 0; i++) {
            Thread.sleep(100);
        }
    }

    /** The demo's scratch folder, removed at the end. */
    public static void deleteTree(Path dir) {
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leaving a temp folder behind is harmless
        }
    }
}

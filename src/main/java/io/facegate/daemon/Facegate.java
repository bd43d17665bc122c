package io.facegate.daemon;

import io.facegate.access.AccessPolicy;
import io.facegate.access.DecisionRule;
import io.facegate.access.Decision;
import io.facegate.camera.CameraListener;
import io.facegate.camera.FrameSource;
import io.facegate.camera.FrameSources;
import io.facegate.config.FacegateConfig;
import io.facegate.door.DoorController;
import io.facegate.door.DoorEvent;
import io.facegate.door.DoorState;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.mqtt.DeviceHealth;
import io.facegate.mqtt.EventMessage;
import io.facegate.mqtt.MqttDoor;
import io.facegate.vision.FacePipeline;
import io.facegate.vision.ModelInfo;
import io.facegate.vision.ModelPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The assembled daemon: door, models, gallery, MQTT, camera and the access pipeline, started in that order so
 * that the door is locked before anything else happens, and stopped in the reverse order so that it is locked
 * again before anything else is let go.
 */
public final class Facegate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Facegate.class);
    /** The watchdog stops pinging systemd when no frame has been processed for this long. */
    static final Duration PIPELINE_STALL = Duration.ofSeconds(10);
    /** How often the gallery file is checked for changes committed by another process (the CLI). */
    static final Duration GALLERY_RELOAD = Duration.ofSeconds(3);
    /** How long a stop waits for the pipeline to finish the frame in hand before locking the door anyway. */
    static final Duration PIPELINE_FINISH = Duration.ofSeconds(3);

    /**
     * What a caller may replace: the camera (the demo and benchmarks play photos), an extra event sink (the demo's
     * console), and the clock.
     */
    public record Options(FrameSource camera, EventSink extraEvents, Clock clock) {
        public static Options defaults() {
            return new Options(null, null, Clock.systemUTC());
        }
    }

    private final FacegateConfig config;
    private final SystemdNotifier notifier = SystemdNotifier.fromEnvironment();
    private DoorController door;
    private FacePipeline vision;
    private Gallery gallery;
    private MqttDoor mqtt;
    private FramePump pump;
    private AccessPipeline pipeline;
    private Thread pipelineThread;
    private PipelineMetrics metrics;
    private java.util.concurrent.ScheduledExecutorService housekeeping;
    private final Options options;
    private volatile boolean closed;
    private DecisionRule rule;
    private volatile int loggedTemplates = -1;
    /** Set by {@link #close()} before it waits for the lifecycle lock: a start in progress gives up at its next step. */
    private volatile boolean stopRequested;
    /** The camera's outage, from its listener: why it was lost, or null while frames flow. */
    private volatile String cameraLost;

    private Facegate(FacegateConfig config, Options options) {
        this.config = config;
        this.options = options;
    }

    /** Builds and starts the daemon; on any failure everything started so far is stopped, the door locked. */
    public static Facegate start(FacegateConfig config, Options options) {
        return create(config, options).start();
    }

    /**
     * The daemon, not started yet: {@code run} registers its SIGTERM handler on it before {@link #start()}, so a
     * signal during start-up stops it in order (models are never freed under a running inference).
     */
    public static Facegate create(FacegateConfig config, Options options) {
        return new Facegate(config, options);
    }

    /** Starts everything, door first; a {@link #close()} meanwhile makes this stop at its next step and throw. */
    public synchronized Facegate start() {
        try {
            startAll(options);
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void checkNotStopping() {
        if (stopRequested) {
            throw new IllegalStateException("stopped during start-up (signal)");
        }
    }

    private void startAll(Options o) {
        checkNotStopping();
        // 1. the door, locked before anything else
        door = DoorController.open(config.door());
        door.start();
        checkNotStopping();
        notifier.status("loading models");
        // 2. the models, and meanwhile on the other core the gallery (its check and template load), opened for the
        // feature model the lock file names: the model is checked against that same entry as it loads
        ModelPack.Entry feature = ModelPack.load(config.vision().modelsDir()).entry("feature");
        CompletableFuture<Gallery> opening = CompletableFuture.supplyAsync(() -> Gallery.open(config.gallery(),
                ModelInfo.idOf(feature), feature.sha256()), r -> {
                    Thread t = new Thread(r, "facegate-gallery-open");
                    t.setDaemon(true);
                    t.start();
                });
        try {
            vision = FacePipeline.open(config.vision());
        } catch (RuntimeException e) {
            opening.thenAccept(Gallery::close); // closed once its open is over
            throw e;
        }
        gallery = joinUnwrapped(opening);
        if (!vision.featureModel().equals(ModelInfo.of(feature))) {
            throw new IllegalStateException("feature model " + vision.featureModel() + " is not the one the gallery was"
                    + " opened for (" + ModelInfo.of(feature) + ")");
        }
        checkNotStopping();
        if (!gallery.foreignTemplates().isEmpty()) {
            log.warn("gallery holds templates of other models, never compared: {}", gallery.foreignTemplates());
        }
        rule = DecisionRule.load(config.access(), config.vision().modelsDir(), vision.featureModel().sha256());
        logRule(gallery.templateCount());
        gallery.addListener((version, hash, what) -> logRule(gallery.templateCount()));
        metrics = new PipelineMetrics(config.pipeline().metricsWindow());

        List<EventSink> sinks = new ArrayList<>();
        FaceCapture capture = new FaceCapture(config.access().captureDir(), o.clock());
        if (config.mqtt().enabled()) {
            mqtt = new MqttDoor(config.mqtt(), new DaemonActions(gallery, new Enroller(vision, gallery), vision, door,
                    config.door(), capture), this::health, o.clock());
            sinks.add(new MqttEvents(mqtt));
        }
        if (o.extraEvents() != null) {
            sinks.add(o.extraEvents());
        }
        EventSink events = EventSink.all(sinks.toArray(EventSink[]::new));
        door.addListener(e -> {
            events.door(e);
            if (mqtt != null) {
                DoorState s = door.state();
                mqtt.doorState(!s.unlocked(), Boolean.TRUE.equals(s.doorOpen()), s.lockdown(), s.fault());
            }
        });

        AccessPolicy policy = new AccessPolicy(rule, gallery, gallery, o.clock(),
                () -> door.state().openOrUnlocked(), () -> door.state().lockdown());
        FaceTracker tracker = new FaceTracker(config.pipeline());
        CameraListener cameraEvents = new CameraListener() {
            @Override
            public void onCameraLost(String reason) {
                cameraLost = reason == null ? "unknown cause" : reason;
                events.system("camera_lost", reason);
                if (pipeline != null) {
                    pipeline.cameraLost();
                }
            }

            @Override
            public void onCameraRestored() {
                cameraLost = null;
                events.system("camera_restored", null);
            }
        };
        FrameSource source = o.camera() != null ? o.camera() : FrameSources.resilient(config.camera(),
                config.vision().maxImagePixels(), cameraEvents);
        pump = new FramePump(source, new LatestFrameSlot<>(metrics::frameDropped), metrics);
        pipeline = new AccessPipeline(pump, vision, tracker, policy, door, events, metrics,
                config.access().livenessEnabled(), config.pipeline().trackSameFaceMin())
                .giveUpAfter(Duration.ofMillis(config.pipeline().giveUpAfterMs()))
                .capture(capture);
        checkNotStopping();
        if (mqtt != null) {
            mqtt.start();
        }
        try {
            pump.start();
        } catch (io.facegate.camera.CameraException e) {
            throw new IllegalStateException("camera: " + e.getMessage(), e);
        }
        checkNotStopping();
        pipelineThread = new Thread(pipeline, "facegate-pipeline");
        pipelineThread.start();
        // people enrolled or removed with the CLI on this door (another process) reach the matcher within seconds
        housekeeping = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "facegate-gallery-reload");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::reloadGallery, GALLERY_RELOAD.toMillis(), GALLERY_RELOAD.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        events.system("started", "provider " + vision.provider() + ", " + gallery.persons().size() + " persons");
        notifier.ready("door locked, " + gallery.persons().size() + " persons, camera " + source.describe());
        // pinged only while frames really go through: not while the loop spins on failing frames or waits for a
        // lost camera, and never once the pipeline has ended
        notifier.startWatchdog(this::watchdogHealthy);
        log.info("facegate running: provider {}, {} persons, camera {}", vision.provider(), gallery.persons().size(),
                source.describe());
    }

    /** The result of a start-up step run beside another; its failure as thrown, not wrapped. */
    private static <T> T joinUnwrapped(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** The threshold follows the gallery's size: say so whenever the size changes, and warn at capacity. */
    private void logRule(int templates) {
        if (templates == loggedTemplates) {
            return;
        }
        loggedTemplates = templates;
        log.info("access: {}", rule.describe(templates));
        rule.capacityWarning(templates).ifPresent(w -> log.warn("access capacity: {}", w));
    }

    private void reloadGallery() {
        try {
            gallery.reloadIfChanged();
        } catch (RuntimeException e) {
            // the gallery now vouches for nobody until a reload succeeds; health says so
            log.error("gallery reload failed, denying everyone until it succeeds: {}", e.toString());
        }
    }

    /** Waits until the camera source ends (a file or the demo's photos) or the daemon is closed. */
    public void awaitPipeline() throws InterruptedException {
        if (pipelineThread != null) {
            pipelineThread.join();
        }
    }

    /**
     * Whether the watchdog may be pinged: the pipeline runs, its frames go through (none failing since the last
     * good one, the camera not lost) and one was processed within the stall time. systemd restarts the daemon
     * only after WatchdogSec without a ping, so a short hiccup costs nothing.
     */
    boolean watchdogHealthy() {
        return pipelineThread != null && pipelineThread.isAlive() && !pipeline.failing() && cameraLost == null
                && System.nanoTime() - pipeline.progressNanos() < PIPELINE_STALL.toNanos();
    }

    /**
     * Why the daemon cannot go on (the camera gone for good, every frame failing for
     * {@code pipeline.give_up_after_ms}); null while it runs or after an orderly stop. {@code run} then exits
     * non-zero so that systemd restarts it.
     */
    public String failure() {
        return pipeline == null ? null : pipeline.failure();
    }

    /** What the health message reports: the worst current problem as the state, with its error. */
    public DeviceHealth health() {
        PipelineMetrics.Snapshot s = metrics == null ? null : metrics.snapshot();
        Map<String, Double> stages = new LinkedHashMap<>();
        if (s != null) {
            s.stages().forEach((stage, st) -> stages.put(stage, st.p50Ms()));
        }
        String state;
        String error = pipeline == null ? null : pipeline.lastError();
        String outboxError = mqtt == null ? null : mqtt.outboxError();
        String doorFault = door == null ? null : door.state().fault();
        String galleryProblem = gallery == null ? null : gallery.problem();
        if (pipeline == null) {
            state = DeviceHealth.STARTING;
        } else if (pipeline.failure() != null) {
            state = DeviceHealth.FAILED;
            error = pipeline.failure();
        } else if (doorFault != null) {
            state = DeviceHealth.DOOR_FAULT;
            error = "door fault: " + doorFault;
        } else if (cameraLost != null) {
            state = DeviceHealth.CAMERA_LOST;
            error = "camera lost: " + cameraLost;
        } else if (pipeline.failing()) {
            state = DeviceHealth.PIPELINE_ERROR;
        } else if (galleryProblem != null) {
            state = DeviceHealth.GALLERY_DEGRADED;
            error = galleryProblem;
        } else if (outboxError != null) {
            state = DeviceHealth.OUTBOX_ERROR;
            error = outboxError;
        } else {
            state = DeviceHealth.OK;
        }
        String access = null;
        if (rule != null && gallery != null) {
            int templates = gallery.searchedTemplates();
            access = rule.describe(templates) + rule.capacityWarning(templates).map(w -> "; WARNING: " + w)
                    .orElse("");
        }
        return new DeviceHealth(state, s == null ? 0 : s.fps(), stages, vision == null ? null : vision.provider(),
                error, doorFault, gallery == null ? null : gallery.state(), access);
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    public DoorController door() {
        return door;
    }

    public Gallery gallery() {
        return gallery;
    }

    public FacePipeline vision() {
        return vision;
    }

    public MqttDoor mqtt() {
        return mqtt;
    }

    /**
     * Orderly stop (SIGTERM), also during start-up: stop deciding and wait (bounded) for the frame in hand, lock
     * the door, release the camera, let MQTT flush and say offline, and only then free the models, which also wait
     * for any inference still running.
     */
    @Override
    public void close() {
        stopRequested = true; // a start in progress stops at its next step and releases the lock
        synchronized (this) {
            closeInOrder();
        }
    }

    private void closeInOrder() {
        if (closed) {
            return;
        }
        closed = true;
        notifier.stopping("shutting down");
        notifier.stopWatchdog();
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (pipeline != null) {
            pipeline.stop();
        }
        if (pipelineThread != null && pipelineThread != Thread.currentThread()) {
            try {
                pipelineThread.join(PIPELINE_FINISH.toMillis()); // it sees stop() within one frame wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (pipelineThread.isAlive()) {
                log.warn("pipeline still busy after {} ms; locking the door anyway", PIPELINE_FINISH.toMillis());
            }
        }
        closeQuietly(door);      // locks the door first ...
        closeQuietly(pump);      // ... then releases the camera (a blocked read may take seconds)
        closeQuietly(mqtt);      // MQTT still reports the lock, then flushes and says offline
        closeQuietly(gallery);
        closeQuietly(vision);    // last: waits for an inference still in flight, never frees a session under it
        // what the door controller reports now, not what was intended
        log.info("facegate stopped, door {}", door == null ? "never opened (the relay was not driven)"
                : door.state().unlocked() ? "UNLOCKED: the relay did not lock" : "locked");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            log.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }

    /** Publishes decisions and door events through the MQTT outbox. */
    private record MqttEvents(MqttDoor mqtt) implements EventSink {
        @Override
        public void decision(Decision d) {
            mqtt.publish(EventMessage.Draft.of(d));
        }

        @Override
        public void door(DoorEvent e) {
            mqtt.publish(EventMessage.Draft.of("door_" + e.type().name().toLowerCase(java.util.Locale.ROOT), e.time(),
                    e.personId(), null, e.detail()));
        }

        @Override
        public void system(String type, String detail) {
            mqtt.publish(EventMessage.Draft.of(type, java.time.Instant.now(), null, null, detail));
        }
    }
}

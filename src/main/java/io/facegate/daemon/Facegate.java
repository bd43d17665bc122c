package io.facegate.daemon;

import io.facegate.access.AccessPolicy;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The assembled daemon: door, models, gallery, MQTT, camera and the access pipeline, started in that order so
 * that the door is locked before anything else happens, and stopped in the reverse order so that it is locked
 * again before anything else is let go.
 */
public final class Facegate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Facegate.class);
    /** The watchdog stops pinging systemd when the pipeline loop has not turned for this long. */
    static final Duration PIPELINE_STALL = Duration.ofSeconds(10);
    /** How often the gallery file is checked for changes committed by another process (the CLI). */
    static final Duration GALLERY_RELOAD = Duration.ofSeconds(3);

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
    private volatile boolean closed;

    private Facegate(FacegateConfig config) {
        this.config = config;
    }

    public static Facegate start(FacegateConfig config, Options options) {
        Facegate f = new Facegate(config);
        try {
            f.startAll(options);
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private void startAll(Options o) {
        // 1. the door, locked before anything else
        door = DoorController.open(config.door());
        door.start();
        notifier.status("loading models");
        vision = FacePipeline.open(config.vision());
        gallery = Gallery.open(config.gallery(), vision.featureModel().id(), vision.featureModel().sha256());
        if (!gallery.foreignTemplates().isEmpty()) {
            log.warn("gallery holds templates of other models, never compared: {}", gallery.foreignTemplates());
        }
        metrics = new PipelineMetrics(config.pipeline().metricsWindow());

        List<EventSink> sinks = new ArrayList<>();
        if (config.mqtt().enabled()) {
            mqtt = new MqttDoor(config.mqtt(), new DaemonActions(gallery, new Enroller(vision, gallery), vision, door,
                    config.door()), this::health, o.clock());
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
                mqtt.doorState(!s.unlocked(), Boolean.TRUE.equals(s.doorOpen()), s.lockdown());
            }
        });

        AccessPolicy policy = new AccessPolicy(config.access(), gallery, o.clock(),
                () -> door.state().openOrUnlocked(), () -> door.state().lockdown());
        FaceTracker tracker = new FaceTracker(config.pipeline());
        CameraListener cameraEvents = new CameraListener() {
            @Override
            public void onCameraLost(String reason) {
                events.system("camera_lost", reason);
                if (pipeline != null) {
                    pipeline.cameraLost();
                }
            }

            @Override
            public void onCameraRestored() {
                events.system("camera_restored", null);
            }
        };
        FrameSource source = o.camera() != null ? o.camera() : FrameSources.resilient(config.camera(),
                config.vision().maxImagePixels(), cameraEvents);
        pump = new FramePump(source, new LatestFrameSlot<>(metrics::frameDropped), metrics);
        pipeline = new AccessPipeline(pump, vision, tracker, gallery, policy, door, events, metrics,
                config.access().livenessEnabled(), config.pipeline().trackSameFaceMin());
        if (mqtt != null) {
            mqtt.start();
        }
        try {
            pump.start();
        } catch (io.facegate.camera.CameraException e) {
            throw new IllegalStateException("camera: " + e.getMessage(), e);
        }
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
        notifier.startWatchdog(() -> System.nanoTime() - pipeline.heartbeatNanos() < PIPELINE_STALL.toNanos());
        log.info("facegate running: provider {}, {} persons, camera {}", vision.provider(), gallery.persons().size(),
                source.describe());
    }

    private void reloadGallery() {
        try {
            gallery.reloadIfChanged();
        } catch (RuntimeException e) {
            log.warn("gallery reload failed, keeping the loaded gallery: {}", e.toString());
        }
    }

    /** Waits until the camera source ends (a file or the demo's photos) or the daemon is closed. */
    public void awaitPipeline() throws InterruptedException {
        if (pipelineThread != null) {
            pipelineThread.join();
        }
    }

    /** What the health message reports. */
    public DeviceHealth health() {
        PipelineMetrics.Snapshot s = metrics == null ? null : metrics.snapshot();
        Map<String, Double> stages = new LinkedHashMap<>();
        if (s != null) {
            s.stages().forEach((stage, st) -> stages.put(stage, st.p50Ms()));
        }
        return new DeviceHealth(s == null ? 0 : s.fps(), stages, vision == null ? null : vision.provider(),
                pipeline == null ? null : pipeline.lastError());
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
     * Orderly stop (SIGTERM): stop deciding, lock the door, let MQTT flush and say offline, release the rest.
     */
    @Override
    public synchronized void close() {
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
        closeQuietly(pump);      // releases the camera
        if (pipelineThread != null) {
            try {
                pipelineThread.join(Duration.ofSeconds(3).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(door);      // locks the door first ...
        closeQuietly(mqtt);      // ... so that MQTT still reports it, then flushes and says offline
        closeQuietly(gallery);
        closeQuietly(vision);
        log.info("facegate stopped, door locked");
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

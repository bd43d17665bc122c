package io.facegate.daemon;

import io.facegate.access.AccessPolicy;
import io.facegate.access.Decision;
import io.facegate.access.FrameQuality;
import io.facegate.access.Recognition;
import io.facegate.camera.CameraFrame;
import io.facegate.door.DoorController;
import io.facegate.vision.BoundingBox;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.Embeddings;
import io.facegate.vision.FaceDetector;
import io.facegate.vision.FacePipeline;
import io.facegate.vision.FaceSample;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Frame to decision, one frame at a time: detect, track, and for each tracked face that is due, landmarks, the
 * quality gates that need no embedding (a face below one is neither embedded nor checked for liveness), then the
 * embedding with liveness beside it on a second thread (skipped once the track's verdict is final), then the access
 * policy (which fuses a track's good frames and asks the gallery). A grant goes to the door and is published only
 * when the door opened; every other decision goes to the event sink. Any failure on a frame is logged and counted and the frame is skipped: nothing here can open
 * the door except a decision the policy made.
 */
public final class AccessPipeline implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(AccessPipeline.class);
    private static final Duration FRAME_WAIT = Duration.ofMillis(500);

    private final FramePump pump;
    private final FacePipeline vision;
    private final FaceTracker tracker;
    private final AccessPolicy policy;
    private final DoorController door;
    private final EventSink events;
    private final PipelineMetrics metrics;
    private final boolean liveness;
    private final double sameFaceMin;
    /** Saves face crops while an admin's capture runs (liveness calibration); off by default. */
    private volatile FaceCapture capture = FaceCapture.disabled();
    /** Each live track's latest embedding, to notice a different face taking its place (memory only). */
    private final Map<Long, float[]> lastEmbedding = new HashMap<>();
    private volatile boolean running = true;
    /** Runs liveness beside the embedding while {@link #run()} runs; null otherwise (then it runs inline). */
    private volatile ExecutorService livenessWorker;
    private volatile boolean cameraLost;
    /** Nanotime of the last frame processed without an error: the loop turning on errors is not progress. */
    private volatile long progressNanos = System.nanoTime();
    /** Errors since the last frame processed without one. */
    private volatile long errorsSinceProgress;
    private volatile long errors;
    private final AtomicReference<String> lastError = new AtomicReference<>();
    /** With no frame processed for this long (every frame failing, no frames at all), the run gives up. */
    private volatile Duration giveUpAfter = DEFAULT_GIVE_UP_AFTER;
    /** Why the run gave up by itself; null while running, after stop() and at the end of a finite source. */
    private volatile String failure;
    static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofSeconds(20);

    public AccessPipeline(FramePump pump, FacePipeline vision, FaceTracker tracker, AccessPolicy policy,
                          DoorController door, EventSink events, PipelineMetrics metrics,
                          boolean liveness, double sameFaceMin) {
        this.pump = pump;
        this.vision = vision;
        this.tracker = tracker;
        this.policy = policy;
        this.door = door;
        this.events = events;
        this.metrics = metrics;
        this.liveness = liveness;
        this.sameFaceMin = sameFaceMin;
    }

    @Override
    public void run() {
        progressNanos = System.nanoTime();
        if (liveness) {
            livenessWorker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "facegate-liveness");
                t.setDaemon(true);
                return t;
            });
        }
        try {
            loop();
        } finally {
            ExecutorService worker = livenessWorker;
            livenessWorker = null;
            if (worker != null) {
                worker.shutdown(); // nothing is pending: every frame waited for its own liveness
            }
        }
        log.info("pipeline stopped");
    }

    private void loop() {
        while (running) {
            CameraFrame frame;
            try {
                frame = pump.takeLatest(FRAME_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (cameraLost) {
                // faces seen before the outage are not the faces after it: start every vote afresh
                cameraLost = false;
                tracker.clear().forEach(this::forget);
            }
            if (frame == null) {
                if (!pump.isRunning()) {
                    if (pump.failed()) {
                        giveUp("the camera failed: " + pump.endReason());
                    }
                    break;       // the camera source ended (a file or a demo's photos)
                }
            } else {
                try (frame) {
                    process(frame);
                    progressNanos = System.nanoTime();
                    errorsSinceProgress = 0;
                } catch (RuntimeException e) {
                    errors++;
                    errorsSinceProgress++;
                    lastError.set(e.toString());
                    if (errors < 10 || errors % 1000 == 0) {
                        log.warn("frame {} skipped after an error (door stays locked): {}", frame.sequence(),
                                e.toString());
                    }
                }
            }
            long stalledNanos = System.nanoTime() - progressNanos;
            if (running && stalledNanos > giveUpAfter.toNanos()) {
                giveUp("no frame processed for " + Duration.ofNanos(stalledNanos).toSeconds() + " s: "
                        + (errorsSinceProgress > 0 ? errorsSinceProgress + " frames failed, the last with "
                        + lastError.get() : "the camera delivers no frames"));
                break;
            }
        }
    }

    /** The pipeline cannot continue: say why, once, and end the run (the daemon then exits non-zero). */
    private void giveUp(String why) {
        failure = why;
        lastError.set(why);
        log.error("pipeline gives up: {}", why);
    }

    /** One frame through the whole chain. */
    void process(CameraFrame frame) {
        Mat image = frame.mat();
        long frameStart = System.nanoTime();
        List<FaceDetector.Detection> detections;
        try (StageTimer t = metrics.time(PipelineMetrics.Stage.DETECT)) {
            detections = vision.detectBoxes(image);
        }
        List<BoundingBox> boxes = new ArrayList<>(detections.size());
        for (FaceDetector.Detection d : detections) {
            boxes.add(d.box());
        }
        FaceTracker.Update update = tracker.update(boxes, System.nanoTime() / 1_000_000);
        update.ended().forEach(this::forget);
        for (FaceTracker.TrackedFace face : update.faces()) {
            if (face.embedDue()) {
                recognise(image, frame, face, detections.get(face.inputIndex()));
            }
        }
        metrics.record(PipelineMetrics.Stage.FRAME, System.nanoTime() - frameStart);
        metrics.frameProcessed();
    }

    private void recognise(Mat image, CameraFrame frame, FaceTracker.TrackedFace tracked,
                           FaceDetector.Detection detection) {
        DetectedFace face;
        try (StageTimer t = metrics.time(PipelineMetrics.Stage.LANDMARKS)) {
            face = vision.withLandmarks(image, detection);
        }
        capture.offer(image, face.box());
        long trackId = tracked.trackId();
        FaceSample sample;
        double live = Double.NaN;
        try (FacePipeline.Aligned aligned = vision.alignWithQuality(image, face)) {
            FrameQuality before = FrameQuality.of(aligned.quality());
            if (policy.rule().qualityProblemBeforeEmbedding(before).isPresent()) {
                // below a gate already: the frame cannot count, so neither inference is worth running
                conclude(Recognition.notEmbedded(trackId, before, frame.capturedAt()));
                return;
            }
            // a decided track's frames change nothing: embedded only to notice someone else taking its place
            Future<Float> liveness = this.liveness && !policy.finished(trackId) ? startLiveness(image, face) : null;
            try (StageTimer t = metrics.time(PipelineMetrics.Stage.EMBED)) {
                sample = vision.embed(aligned);
            } catch (RuntimeException e) {
                if (liveness != null) {
                    awaitQuietly(liveness); // the frame's image must outlive the inference reading it
                }
                throw e;
            }
            if (liveness != null) {
                live = result(liveness);
            }
        }
        float[] embedding = sample.embedding();
        float[] previous = lastEmbedding.get(trackId);
        if (previous != null && Embeddings.cosine(previous, embedding) < sameFaceMin) {
            // someone else now stands where the tracked face was: their evidence starts afresh, this frame included
            forget(trackId);
            trackId = tracker.restart(trackId);
            if (this.liveness && Double.isNaN(live)) {
                live = result(startLiveness(image, face)); // skipped above while the old track was decided
            }
        }
        lastEmbedding.put(trackId, embedding);
        conclude(new Recognition(trackId, embedding, FrameQuality.of(sample.quality()), live, frame.capturedAt(),
                face.landmarks68()));
    }

    /** Offers one frame of a track to the policy and acts on its decision. */
    private void conclude(Recognition r) {
        long trackId = r.trackId();
        Optional<Decision> decision;
        try (StageTimer t = metrics.time(PipelineMetrics.Stage.DECIDE)) {
            decision = policy.offer(r);
        }
        if (decision.isPresent() && decision.get().granted() && !door.grant(decision.get())) {
            // the policy said yes but the relay did not switch (fault, lockdown raced in): nobody got in, so no
            // access_granted goes out; the door reports its own state and fault
            log.warn("track {}: granted to {} but the door did not open", trackId, decision.get().personId());
            tracker.settle(trackId);
            return;
        }
        if (decision.isPresent()) {
            tracker.settle(trackId);
            events.decision(decision.get());
        }
    }

    /**
     * Liveness of one face, on the liveness worker while this thread embeds the same face (each model runs on one
     * core; the two together take about as long as the embedding alone), or here when there is no worker.
     */
    private Future<Float> startLiveness(Mat image, DetectedFace face) {
        Callable<Float> task = () -> {
            try (StageTimer t = metrics.time(PipelineMetrics.Stage.LIVENESS)) {
                return vision.liveness(image, face);
            }
        };
        ExecutorService worker = livenessWorker;
        if (worker == null) {
            FutureTask<Float> here = new FutureTask<>(task);
            here.run();
            return here;
        }
        return worker.submit(task);
    }

    /** The liveness inference's result; its failure fails the frame. Waits out interrupts: see awaitQuietly. */
    private static float result(Future<Float> f) {
        awaitQuietly(f);
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("liveness failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError("done futures do not block", e);
        }
    }

    /**
     * Waits until the inference is over, even when interrupted (the interrupt is kept for the loop): the image it
     * reads is freed when the frame closes, and an inference cannot be cancelled halfway.
     */
    private static void awaitQuietly(Future<?> f) {
        boolean interrupted = false;
        while (!f.isDone()) {
            try {
                f.get();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void forget(long trackId) {
        policy.forget(trackId);
        lastEmbedding.remove(trackId);
    }

    /** Called from the camera thread: the pipeline thread drops its tracks on its next turn. */
    public void cameraLost() {
        cameraLost = true;
    }

    public void stop() {
        running = false;
    }

    /**
     * Nanotime of the last frame processed without an error: the watchdog pings systemd only while this keeps
     * moving (a loop that spins on failing frames or waits for a lost camera is not progress).
     */
    public long progressNanos() {
        return progressNanos;
    }

    /** Whether frames have been failing since the last one that went through. */
    public boolean failing() {
        return errorsSinceProgress > 0;
    }

    /** How long without a processed frame before the run gives up; {@link #DEFAULT_GIVE_UP_AFTER} unless set. */
    public AccessPipeline giveUpAfter(Duration d) {
        giveUpAfter = d;
        return this;
    }

    /** Where face crops go while an admin's capture runs. */
    public AccessPipeline capture(FaceCapture c) {
        capture = c;
        return this;
    }

    /** Why the run gave up by itself (the daemon cannot continue); null otherwise. */
    public String failure() {
        return failure;
    }

    public long errors() {
        return errors;
    }

    public String lastError() {
        return lastError.get();
    }
}

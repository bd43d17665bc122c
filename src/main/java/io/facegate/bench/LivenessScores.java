package io.facegate.bench;

import io.facegate.vision.DetectedFace;
import io.facegate.vision.FaceDetector;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live probabilities of photos scored as the daemon scores a camera frame ({@code AccessPipeline}): detector boxes,
 * landmarks of the face, then {@link FacePipeline#liveness} on the 2.7x context crop in B,G,R. One face per photo:
 * the largest by eye distance. Photos without a face and unreadable ones are counted, never dropped silently.
 */
public final class LivenessScores {
    /** What one photo gave: a score, no face, or unreadable (with the reason). */
    public record Scored(Path photo, double score, boolean face, String error) {
        public boolean hasScore() {
            return error == null && face;
        }
    }

    private final List<Double> live = new ArrayList<>();
    private final Map<String, List<Double>> spoof = new LinkedHashMap<>();
    private int liveNoFace;
    private int spoofNoFace;
    private int unreadable;

    private LivenessScores() {
    }

    /** Scores one photo. */
    public static Scored score(FacePipeline pipeline, Path photo) {
        try (Mat image = Images.readForRecognition(photo, pipeline.config().maxImagePixels(),
                FaceProbe.RECOGNITION_SHORT_SIDE)) {
            return new Scored(photo, score(pipeline, image), true, null);
        } catch (NoFace e) {
            return new Scored(photo, Double.NaN, false, null);
        } catch (ImageException e) {
            return new Scored(photo, Double.NaN, false, e.getMessage());
        }
    }

    /** The largest face's live probability in a BGR image. */
    public static double score(FacePipeline pipeline, Mat bgr) throws NoFace {
        List<FaceDetector.Detection> boxes = pipeline.detectBoxes(bgr);
        if (boxes.isEmpty()) {
            throw new NoFace();
        }
        DetectedFace face = pipeline.largest(bgr, boxes);
        return pipeline.liveness(bgr, face);
    }

    /** A photo in which the detector found no face. */
    public static final class NoFace extends Exception {
        NoFace() {
            super("no face", null, false, false);
        }
    }

    /** Every photo of the dataset; {@code progress} is told after each. */
    public static LivenessScores of(FacePipeline pipeline, LivenessDataset data, Progress progress) {
        LivenessScores s = new LivenessScores();
        int done = 0;
        for (Path p : data.live()) {
            s.add(score(pipeline, p), null);
            progress.update(++done);
        }
        for (Map.Entry<String, List<Path>> kind : data.spoof().entrySet()) {
            s.spoof.put(kind.getKey(), new ArrayList<>());
            for (Path p : kind.getValue()) {
                s.add(score(pipeline, p), kind.getKey());
                progress.update(++done);
            }
        }
        return s;
    }

    /** Live frames only (calibration). */
    public static LivenessScores ofLive(FacePipeline pipeline, List<Path> live, Progress progress) {
        LivenessScores s = new LivenessScores();
        int done = 0;
        for (Path p : live) {
            s.add(score(pipeline, p), null);
            progress.update(++done);
        }
        return s;
    }

    private void add(Scored sc, String kind) {
        if (sc.error() != null) {
            unreadable++;
            System.err.println("\nliveness: " + sc.error());
        } else if (!sc.face()) {
            if (kind == null) {
                liveNoFace++;
            } else {
                spoofNoFace++;
            }
        } else if (kind == null) {
            live.add(sc.score());
        } else {
            spoof.get(kind).add(sc.score());
        }
    }

    /** The rates; throws when no live photo had a face. */
    public LivenessMetrics metrics() {
        Map<String, double[]> byKind = new LinkedHashMap<>();
        spoof.forEach((k, v) -> byKind.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return new LivenessMetrics(live.stream().mapToDouble(Double::doubleValue).toArray(), byKind);
    }

    public int liveScored() {
        return live.size();
    }

    public int spoofScored() {
        return spoof.values().stream().mapToInt(List::size).sum();
    }

    public int liveNoFace() {
        return liveNoFace;
    }

    public int spoofNoFace() {
        return spoofNoFace;
    }

    public int unreadable() {
        return unreadable;
    }
}

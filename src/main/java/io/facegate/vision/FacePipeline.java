package io.facegate.vision;

import io.facegate.config.VisionConfig;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The face pipeline: detect, landmarks, align, embed, liveness, over the locked model pack. Thread-safe: ONNX
 * Runtime sessions may be run concurrently and every intermediate image is local to a call.
 */
public final class FacePipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FacePipeline.class);

    private final OnnxModel detectModel;
    private final OnnxModel landmarkModel;
    private final OnnxModel featureModel;
    private final OnnxModel livenessModel;
    private final FaceDetector detector;
    private final LandmarkDetector landmarks;
    private final FaceEmbedder embedder;
    private final LivenessEstimator liveness;
    private final ModelInfo featureInfo;
    private final VisionConfig config;

    private FacePipeline(VisionConfig config, List<OnnxModel> models) {
        this.config = config;
        this.detectModel = models.get(0);
        this.landmarkModel = models.get(1);
        this.featureModel = models.get(2);
        this.livenessModel = models.get(3);
        this.detector = new FaceDetector(detectModel, config.detectScore(), config.detectNmsIou(),
                FaceDetector.Padding.valueOf(config.detectPadding().toUpperCase(Locale.ROOT)));
        this.landmarks = new LandmarkDetector(landmarkModel);
        this.embedder = new FaceEmbedder(featureModel);
        this.liveness = new LivenessEstimator(livenessModel);
        this.featureInfo = ModelInfo.of(featureModel.entry());
    }

    /**
     * Loads and checks the four models. A missing, corrupt or wrong-shaped model fails here with a message that
     * names the file and what was expected.
     */
    public static FacePipeline open(VisionConfig config) {
        ModelPack pack = ModelPack.load(config.modelsDir());
        List<OnnxModel> loaded = new ArrayList<>();
        try {
            for (String role : List.of("detect", "landmark", "feature", "liveness")) {
                loaded.add(OnnxModel.load(pack, role, config.providers(), config.intraOpThreads(),
                        config.verifyModelHashes()));
            }
        } catch (RuntimeException e) {
            loaded.forEach(OnnxModel::close);
            throw e;
        }
        FacePipeline p = new FacePipeline(config, loaded);
        log.info("vision: models from {} on provider {} with {} intra-op thread(s)",
                config.modelsDir().toAbsolutePath(), p.provider(), config.intraOpThreads());
        return p;
    }

    /**
     * Faces in a BGR image, each with its five landmarks, largest first by the distance between the eyes: on
     * photos with a blurred face in the background the detector's box can be larger than the sharp face's, while the
     * landmarks still measure the real face size.
     */
    public List<DetectedFace> detect(Mat bgr) {
        List<FaceDetector.Detection> boxes = detectBoxes(bgr);
        List<DetectedFace> faces = new ArrayList<>(boxes.size());
        for (FaceDetector.Detection d : boxes) {
            faces.add(withLandmarks(bgr, d));
        }
        faces.sort(Comparator.comparingDouble(DetectedFace::eyeDistance).reversed());
        return faces;
    }

    /** Detection only: boxes and scores, largest first. */
    public List<FaceDetector.Detection> detectBoxes(Mat bgr) {
        return detector.detect(bgr);
    }

    /** Landmarks for every detection, then the largest face by eye distance (see {@link #detect}). */
    public DetectedFace largest(Mat bgr, List<FaceDetector.Detection> boxes) {
        DetectedFace best = null;
        for (FaceDetector.Detection d : boxes) {
            DetectedFace f = withLandmarks(bgr, d);
            if (best == null || f.eyeDistance() > best.eyeDistance()) {
                best = f;
            }
        }
        return best;
    }

    /** Adds the landmarks to a detection: the five alignment uses, and the 68 (for the planarity check). */
    public DetectedFace withLandmarks(Mat bgr, FaceDetector.Detection d) {
        float[] p68 = landmarks.landmarks68(bgr, d.box());
        return new DetectedFace(d.box(), d.score(), LandmarkDetector.toFivePoints(p68), p68);
    }

    /** The 112x112 aligned face; the caller closes it. */
    public Mat align(Mat bgr, DetectedFace face) {
        return FaceAligner.align(bgr, face.landmarks5());
    }

    /** Unit-length embedding of an aligned face. */
    public float[] embedAligned(Mat aligned) {
        return embedder.embed(aligned);
    }

    /** Align and embed in one call. */
    public float[] embed(Mat bgr, DetectedFace face) {
        try (Mat aligned = align(bgr, face)) {
            return embedder.embed(aligned);
        }
    }

    /**
     * Align and embed once, returning the unit-length embedding together with the face's quality measures
     * (the embedding's norm before normalisation comes from the same inference).
     */
    public FaceSample embedWithQuality(Mat bgr, DetectedFace face) {
        try (Aligned a = alignWithQuality(bgr, face)) {
            return embed(a);
        }
    }

    /**
     * A face aligned for the embedder, with every quality measure that needs no embedding (the norm is NaN until
     * {@link #embed(Aligned)}): a face below a gate on these can be dropped before the costly inference.
     */
    public record Aligned(Mat face, FaceQuality quality) implements AutoCloseable {
        @Override
        public void close() {
            face.close();
        }
    }

    /** Aligns the face and measures it; the caller closes the result. */
    public Aligned alignWithQuality(Mat bgr, DetectedFace face) {
        Mat aligned = align(bgr, face);
        try {
            double[] sc = FaceQuality.sharpnessAndContrast(aligned);
            double[] pose = FaceQuality.pose(face.landmarks5());
            return new Aligned(aligned, new FaceQuality(Double.NaN, sc[0], sc[1], face.eyeDistance(), pose[0],
                    pose[1], pose[2], FaceAligner.residual(face.landmarks5())));
        } catch (RuntimeException e) {
            aligned.close();
            throw e;
        }
    }

    /** Embeds an aligned face: the unit-length embedding, and the quality measures completed with its norm. */
    public FaceSample embed(Aligned a) {
        float[] raw = embedder.embedRaw(a.face());
        double norm = Embeddings.norm(raw); // before normalising, which may work in place
        FaceQuality q = a.quality();
        return new FaceSample(Embeddings.normalize(raw), new FaceQuality(norm, q.sharpness(),
                q.contrast(), q.interEyeDistancePx(), q.yawDegrees(), q.pitchDegrees(), q.rollDegrees(),
                q.alignmentResidual()));
    }

    /** Probability that the face is live, not a photo or screen. */
    public float liveness(Mat bgr, DetectedFace face) {
        return liveness.liveProbability(bgr, face.box());
    }

    /** Identity of the embedding model: templates made by another model are never compared. */
    public ModelInfo featureModel() {
        return featureInfo;
    }

    public int embeddingDimension() {
        return embedder.dimension();
    }

    /** The execution provider in use (the detector's; all models are loaded with the same list). */
    public String provider() {
        return detectModel.provider();
    }

    public VisionConfig config() {
        return config;
    }

    /** Nanoseconds spent inside ONNX Runtime's run, over all four models, since start. */
    public long inferenceNanos() {
        return detectModel.runNanos() + landmarkModel.runNanos() + featureModel.runNanos() + livenessModel.runNanos();
    }

    @Override
    public void close() {
        detectModel.close();
        landmarkModel.close();
        featureModel.close();
        livenessModel.close();
    }
}

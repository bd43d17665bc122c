package io.facegate.gallery;

import io.facegate.config.GalleryConfig;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.Embeddings;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import io.facegate.vision.ModelInfo;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Enrollment from photos: every photo passes the quality gates (each refusal names its reason), then the
 * duplicate check against other persons and a consistency check against the person's own photos; the accepted
 * ones are stored in one transaction. A photo that fails changes nothing.
 */
public final class Enroller {
    /** Side of the grey square on which sharpness is measured, so the measure does not depend on photo size. */
    static final int SHARPNESS_SIDE = 128;

    private final FacePipeline pipeline;
    private final Gallery gallery;
    private final GalleryConfig cfg;
    private final ModelInfo model;
    private final Clock clock;

    public Enroller(FacePipeline pipeline, Gallery gallery) {
        this(pipeline, gallery, Clock.systemUTC());
    }

    public Enroller(FacePipeline pipeline, Gallery gallery, Clock clock) {
        this.pipeline = pipeline;
        this.gallery = gallery;
        this.cfg = gallery.config();
        this.model = pipeline.featureModel();
        this.clock = clock;
        if (!model.sha256().equals(gallery.modelSha256())) {
            throw new GalleryException("the gallery was opened for model " + gallery.modelId()
                    + " but the pipeline runs " + model.id());
        }
    }

    /** The measurements of one face that passed or failed the gates. */
    public record Measures(double eyeDistancePx, double faceWidthPx, double sharpness, double yaw,
                           double detectorScore, int faces) {
    }

    /**
     * What happened to one photo.
     *
     * @param rejection null when accepted
     * @param message   a human-readable reason (or "accepted")
     * @param measures  null when the photo could not be decoded or had no face
     * @param quality   quality score in [0, 1] of an accepted photo (NaN otherwise)
     */
    public record PhotoOutcome(String source, Rejection rejection, String message, Measures measures,
                               double quality) {
        public boolean accepted() {
            return rejection == null;
        }
    }

    /** All photos of one enrollment; {@code change} is empty when nothing was stored. */
    public record Outcome(String personId, List<PhotoOutcome> photos, Optional<GalleryStore.Change> change) {
        public int accepted() {
            return (int) photos.stream().filter(PhotoOutcome::accepted).count();
        }
    }

    /** A photo that passed the gates, with its embedding (kept in memory only). */
    record Assessed(PhotoOutcome outcome, float[] embedding, String photoSha256) {
    }

    /** Runs the quality gates on one photo file; never throws for a bad photo. */
    public PhotoOutcome check(Path photo) {
        return assess(photo).outcome();
    }

    Assessed assess(Path photo) {
        String name = photo.toString();
        byte[] data;
        try {
            long size = Files.size(photo);
            if (size > Images.MAX_FILE_BYTES) {
                return rejected(name, Rejection.IMAGE_TOO_LARGE, "file of " + size + " bytes is larger than "
                        + Images.MAX_FILE_BYTES);
            }
            data = Files.readAllBytes(photo);
        } catch (IOException e) {
            return rejected(name, Rejection.UNREADABLE_IMAGE, "cannot read: " + e.getMessage());
        }
        return assess(name, data);
    }

    /** Runs the quality gates on image bytes (an upload, a file). */
    Assessed assess(String name, byte[] data) {
        String sha = HexFormat.of().formatHex(ContentHash.sha256().digest(data));
        Mat bgr;
        try {
            bgr = Images.decode(data, pipeline.config().maxImagePixels());
        } catch (ImageException e) {
            // Images reports the pixel limit as "... exceeds the limit of N pixels".
            boolean tooLarge = e.getMessage() != null && e.getMessage().contains("exceeds the limit");
            return rejected(name, tooLarge ? Rejection.IMAGE_TOO_LARGE : Rejection.UNREADABLE_IMAGE,
                    e.getMessage());
        }
        try (bgr) {
            List<DetectedFace> faces = pipeline.detect(bgr);
            if (faces.isEmpty()) {
                return rejected(name, Rejection.NO_FACE, "no face found");
            }
            DetectedFace face = largestByArea(faces);
            for (DetectedFace f : faces) {
                if (f != face && f.box().area() >= cfg.secondFaceAreaRatio() * face.box().area()) {
                    return rejected(name, Rejection.MULTIPLE_FACES, faces.size() + " faces, the second one "
                            + pct(f.box().area() / face.box().area()) + " the size of the largest (limit "
                            + pct(cfg.secondFaceAreaRatio()) + "): use a photo of this person alone");
                }
            }
            Measures m = new Measures(face.eyeDistance(), face.box().width(), sharpness(bgr, face), yaw(face),
                    face.score(), faces.size());
            if (m.eyeDistancePx() < cfg.minEyeDistancePx()) {
                return rejected(name, Rejection.FACE_TOO_SMALL, m, String.format(
                        "eyes %.0f px apart, at least %.0f needed", m.eyeDistancePx(), cfg.minEyeDistancePx()));
            }
            if (m.faceWidthPx() < cfg.minFaceWidthPx()) {
                return rejected(name, Rejection.FACE_TOO_SMALL, m, String.format(
                        "face %.0f px wide, at least %.0f needed", m.faceWidthPx(), cfg.minFaceWidthPx()));
            }
            if (m.yaw() > cfg.maxYaw()) {
                return rejected(name, Rejection.HEAD_TURNED, m, String.format(
                        "head turned too far (yaw %.2f, limit %.2f): look at the camera", m.yaw(), cfg.maxYaw()));
            }
            if (m.sharpness() < cfg.minSharpness()) {
                return rejected(name, Rejection.TOO_BLURRED, m, String.format(
                        "too blurred (sharpness %.1f, at least %.1f needed)", m.sharpness(), cfg.minSharpness()));
            }
            float[] e = pipeline.embed(bgr, face);
            double q = quality(m);
            return new Assessed(new PhotoOutcome(name, null, "accepted", m, q), e, sha);
        }
    }

    /**
     * Enrolls (or adds photos to) a person: gates, then duplicate and consistency checks, then one transaction
     * with all accepted photos. Nothing is stored when no photo is accepted.
     */
    public Outcome enroll(Person person, List<Path> photos, boolean replace) {
        List<Assessed> assessed = new ArrayList<>();
        for (Path p : photos) {
            assessed.add(assess(p));
        }
        return decide(person, assessed, replace);
    }

    /** A photo received as bytes (an MQTT enroll command), with a name for messages. */
    public record PhotoBytes(String name, byte[] data) {
    }

    /** As {@link #enroll(Person, List, boolean)}, for photos that arrived as bytes rather than files. */
    public Outcome enrollBytes(Person person, List<PhotoBytes> photos, boolean replace) {
        List<Assessed> assessed = new ArrayList<>();
        for (PhotoBytes p : photos) {
            assessed.add(assess(p.name(), p.data()));
        }
        return decide(person, assessed, replace);
    }

    Outcome decide(Person person, List<Assessed> assessed, boolean replace) {
        List<PhotoOutcome> outcomes = new ArrayList<>();
        List<Template> accepted = new ArrayList<>();
        boolean hasTemplates = !replace && gallery.person(person.id()).isPresent()
                && gallery.store().templateCount(person.id()) > 0;
        Set<String> knownPhotos = new HashSet<>();
        int existing = 0;
        if (!replace && hasTemplates) {
            for (Template t : gallery.store().templates(person.id())) {
                knownPhotos.add(t.photoSha256());
                existing++;
            }
        }
        float[] firstAccepted = null;
        for (Assessed a : assessed) {
            PhotoOutcome o = a.outcome();
            if (!o.accepted()) {
                outcomes.add(o);
                continue;
            }
            if (knownPhotos.contains(a.photoSha256())) {
                outcomes.add(reject(o, Rejection.ALREADY_ENROLLED, "this photo is already a template of "
                        + person.id()));
                continue;
            }
            Optional<Gallery.Similar> other = gallery.mostSimilarOther(a.embedding(), person.id());
            if (!cfg.allowDuplicates() && other.isPresent() && other.get().score() >= cfg.duplicateThreshold()) {
                outcomes.add(reject(o, Rejection.DUPLICATE, String.format(
                        "face already enrolled as %s (score %.3f >= %.3f)", other.get().personId(),
                        other.get().score(), cfg.duplicateThreshold())));
                continue;
            }
            if (hasTemplates) {
                double self = gallery.selfScore(a.embedding(), person.id()).orElse(-1.0);
                if (self < cfg.threshold()) {
                    outcomes.add(reject(o, Rejection.NOT_SAME_PERSON, String.format(
                            "does not match %s's enrolled templates (best %.3f < %.3f)", person.id(),
                            self, cfg.threshold())));
                    continue;
                }
            } else if (firstAccepted != null) {
                double s = Embeddings.cosine(firstAccepted, a.embedding());
                if (s < cfg.threshold()) {
                    outcomes.add(reject(o, Rejection.NOT_SAME_PERSON, String.format(
                            "does not match the first accepted photo of %s (score %.3f < %.3f)", person.id(), s,
                            cfg.threshold())));
                    continue;
                }
            }
            if (existing + accepted.size() >= cfg.maxTemplatesPerPerson()) {
                outcomes.add(reject(o, Rejection.TEMPLATE_LIMIT, person.id() + " already has "
                        + cfg.maxTemplatesPerPerson() + " templates (gallery.max_templates_per_person)"));
                continue;
            }
            if (firstAccepted == null) {
                firstAccepted = a.embedding();
            }
            knownPhotos.add(a.photoSha256());
            accepted.add(new Template(person.id(), a.embedding(), model.id(), model.sha256(), o.quality(),
                    a.photoSha256(), clock.instant()));
            outcomes.add(o);
        }
        Optional<GalleryStore.Change> change = accepted.isEmpty() ? Optional.empty()
                : Optional.of(gallery.enroll(person, accepted, replace));
        return new Outcome(person.id(), outcomes, change);
    }

    private static DetectedFace largestByArea(List<DetectedFace> faces) {
        DetectedFace best = faces.get(0);
        for (DetectedFace f : faces) {
            if (f.box().area() > best.box().area()) {
                best = f;
            }
        }
        return best;
    }

    /**
     * Head turn from the five landmarks: where the nose tip projects onto the line between the eyes, 0 in the
     * middle (frontal) and 1 at either eye. Independent of head tilt (roll) and of face size.
     */
    static double yaw(DetectedFace f) {
        double ex = f.x(DetectedFace.RIGHT_EYE) - f.x(DetectedFace.LEFT_EYE);
        double ey = f.y(DetectedFace.RIGHT_EYE) - f.y(DetectedFace.LEFT_EYE);
        double len2 = ex * ex + ey * ey;
        if (len2 < 1e-6) {
            return Double.POSITIVE_INFINITY;
        }
        double nx = f.x(DetectedFace.NOSE) - f.x(DetectedFace.LEFT_EYE);
        double ny = f.y(DetectedFace.NOSE) - f.y(DetectedFace.LEFT_EYE);
        double t = (nx * ex + ny * ey) / len2;
        return Math.abs(2 * t - 1);
    }

    /** Variance of the Laplacian of the face box, resized to a fixed grey square: low means blurred. */
    static double sharpness(Mat bgr, DetectedFace f) {
        int x1 = clamp((int) Math.floor(f.box().x1()), 0, bgr.cols() - 1);
        int y1 = clamp((int) Math.floor(f.box().y1()), 0, bgr.rows() - 1);
        int x2 = clamp((int) Math.ceil(f.box().x2()), x1 + 1, bgr.cols());
        int y2 = clamp((int) Math.ceil(f.box().y2()), y1 + 1, bgr.rows());
        try (Rect r = new Rect(x1, y1, x2 - x1, y2 - y1);
             Mat roi = new Mat(bgr, r);
             Mat grey = new Mat();
             Mat small = new Mat();
             Mat lap = new Mat();
             Mat mean = new Mat();
             Mat std = new Mat();
             Size size = new Size(SHARPNESS_SIDE, SHARPNESS_SIDE)) {
            cvtColor(roi, grey, COLOR_BGR2GRAY);
            resize(grey, small, size, 0, 0, INTER_AREA);
            Laplacian(small, lap, CV_64F);
            meanStdDev(lap, mean, std);
            double sd = std.createIndexer() instanceof org.bytedeco.javacpp.indexer.DoubleIndexer di
                    ? di.get(0) : Double.NaN;
            return sd * sd;
        }
    }

    /** A heuristic in [0, 1]: detail (eye distance), sharpness and frontality, each saturating at twice its limit. */
    double quality(Measures m) {
        double detail = Math.min(1, m.eyeDistancePx() / (2 * Math.max(1, cfg.minEyeDistancePx())));
        double sharp = Math.min(1, m.sharpness() / (2 * Math.max(1, cfg.minSharpness())));
        double frontal = Math.max(0, 1 - m.yaw() / Math.max(1e-6, 2 * cfg.maxYaw()));
        return Math.max(0, Math.min(1, detail * sharp * frontal * Math.min(1, m.detectorScore())));
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static String pct(double f) {
        return Math.round(100 * f) + "%";
    }

    private static Assessed rejected(String name, Rejection r, String message) {
        return new Assessed(new PhotoOutcome(name, r, message, null, Double.NaN), null, null);
    }

    private static Assessed rejected(String name, Rejection r, Measures m, String message) {
        return new Assessed(new PhotoOutcome(name, r, message, m, Double.NaN), null, null);
    }

    private static PhotoOutcome reject(PhotoOutcome o, Rejection r, String message) {
        return new PhotoOutcome(o.source(), r, message, o.measures(), Double.NaN);
    }

}

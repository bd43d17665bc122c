package io.facegate.demo;

import io.facegate.bench.FaceDataset;
import io.facegate.vision.BoundingBox;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.flip;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/**
 * Who is enrolled and who walks up to the door, for the demo and the pipeline benchmark. Built either from a
 * {@code <person>/<photo>} folder (the 1st, 3rd, 5th... people are enrolled with their first two photos, the
 * others are strangers, every other photo is a visit) or from the group photos that {@code models/fetch}
 * installs (each face is a visit; every other person is enrolled from a crop of their first photo, and each visit
 * shows the mirrored photo with the other faces blanked out, so the camera never shows the enrollment image
 * itself and shows one person at a time).
 */
public final class Scenario implements AutoCloseable {
    /** Enrolled people take this many photos from their folder. */
    public static final int ENROLL_PHOTOS = 2;

    public record Enrollee(String id, String name, List<Path> photos) {
    }

    /** A visit and whose it is. */
    public record Visitor(String id, boolean enrolled, VisitFrameSource.Visit visit) {
    }

    private final List<Enrollee> enrollees;
    private final List<Visitor> visitors;
    private final int skippedPhotos;

    private Scenario(List<Enrollee> enrollees, List<Visitor> visitors, int skippedPhotos) {
        this.enrollees = enrollees;
        this.visitors = visitors;
        this.skippedPhotos = skippedPhotos;
    }

    public List<Enrollee> enrollees() {
        return enrollees;
    }

    public List<Visitor> visitors() {
        return visitors;
    }

    /** Visit photos in which no face was found, so nobody could walk up with them. */
    public int skippedPhotos() {
        return skippedPhotos;
    }

    public List<VisitFrameSource.Visit> visits() {
        return visitors.stream().map(Visitor::visit).toList();
    }

    public static Scenario fromFolder(Path dir, FacePipeline vision) throws IOException {
        FaceDataset data = FaceDataset.load(dir);
        List<Enrollee> enrollees = new ArrayList<>();
        List<Visitor> visitors = new ArrayList<>();
        int skipped = 0;
        for (int i = 0; i < data.people().size(); i++) {
            FaceDataset.Person p = data.people().get(i);
            boolean enrolled = i % 2 == 0;
            List<Path> visitPhotos = p.photos();
            if (enrolled) {
                int k = Math.min(ENROLL_PHOTOS, p.photos().size());
                enrollees.add(new Enrollee(p.name(), p.name(), p.photos().subList(0, k)));
                visitPhotos = p.photos().subList(k, p.photos().size());
            }
            for (Path photo : visitPhotos) {
                VisitFrameSource.Visit v = visit(vision, p.name() + "/" + photo.getFileName(), photo);
                if (v == null) {
                    skipped++;
                } else {
                    visitors.add(new Visitor(p.name(), enrolled, v));
                }
            }
        }
        return new Scenario(enrollees, visitors, skipped);
    }

    /**
     * Faces in the group photos that look this alike are taken to be one person: the photos carry no names, and
     * the same people appear in several of them.
     */
    static final double SAME_PERSON = 0.38;

    public static Scenario fromGroupPhotos(Path photosDir, FacePipeline vision, Path workDir) throws IOException {
        List<Path> photos;
        try (var files = Files.list(photosDir)) {
            photos = files.filter(FaceDataset::isImage).sorted().toList();
        }
        if (photos.isEmpty()) {
            throw new IOException(photosDir + " holds no photos (run models/fetch)");
        }
        List<Enrollee> enrollees = new ArrayList<>();
        List<Visitor> visitors = new ArrayList<>();
        List<float[]> people = new ArrayList<>();      // first embedding of each person found so far
        for (Path photo : photos) {
            Mat image;
            try {
                image = Images.read(photo, 40_000_000L);
            } catch (ImageException e) {
                throw new IOException(e.getMessage(), e);
            }
            try (image) {
                List<DetectedFace> faces = new ArrayList<>(vision.detect(image));
                faces.sort(Comparator.comparingDouble(f -> f.box().x1()));
                for (DetectedFace face : faces) {
                    int person = personOf(people, vision.embed(image, face));
                    String id = String.format("visitor-%02d", person + 1);
                    boolean enrolled = person % 2 == 0;
                    boolean firstSighting = person == people.size() - 1
                            && visitors.stream().noneMatch(v -> v.id().equals(id));
                    if (enrolled && firstSighting) {
                        Path crop = workDir.resolve(id + ".jpg");
                        writeCrop(image, face.box(), crop);
                        enrollees.add(new Enrollee(id, "Visitor " + (person + 1), List.of(crop)));
                    }
                    Mat mirrored = new Mat();
                    flip(image, mirrored, 1);
                    for (DetectedFace other : faces) {
                        if (other != face) {
                            blankOut(mirrored, other.box(), image.cols());
                        }
                    }
                    BoundingBox b = face.box();
                    BoundingBox mb = new BoundingBox(image.cols() - b.x2(), b.y1(), image.cols() - b.x1(), b.y2());
                    visitors.add(new Visitor(id, enrolled, new VisitFrameSource.Visit(id, mirrored, mb)));
                }
            }
        }
        return new Scenario(enrollees, visitors, 0);
    }

    /** Index of the person this embedding belongs to, adding a new person when it matches nobody. */
    private static int personOf(List<float[]> people, float[] embedding) {
        int best = -1;
        double bestScore = SAME_PERSON;
        for (int i = 0; i < people.size(); i++) {
            double s = io.facegate.vision.Embeddings.cosine(people.get(i), embedding);
            if (s >= bestScore) {
                best = i;
                bestScore = s;
            }
        }
        if (best >= 0) {
            return best;
        }
        people.add(embedding);
        return people.size() - 1;
    }

    /** Paints another person's face (mirrored coordinates) grey, so that each visit shows one person. */
    private static void blankOut(Mat mirrored, BoundingBox b, int width) {
        float mx = b.width() * 0.25f;
        float my = b.height() * 0.25f;
        int x1 = (int) Math.max(0, width - b.x2() - mx);
        int y1 = (int) Math.max(0, b.y1() - my);
        int x2 = (int) Math.min(width, width - b.x1() + mx);
        int y2 = (int) Math.min(mirrored.rows(), b.y2() + my);
        try (Rect r = new Rect(x1, y1, x2 - x1, y2 - y1); Mat region = new Mat(mirrored, r);
             org.bytedeco.opencv.opencv_core.Scalar grey = new org.bytedeco.opencv.opencv_core.Scalar(90, 90, 90, 0)) {
            region.put(grey);
        }
    }

    /** The face with a margin of 60% of its size, as an enrollment photo of that person alone. */
    private static void writeCrop(Mat image, BoundingBox b, Path file) {
        float mx = b.width() * 0.6f;
        float my = b.height() * 0.6f;
        int x1 = (int) Math.max(0, b.x1() - mx);
        int y1 = (int) Math.max(0, b.y1() - my);
        int x2 = (int) Math.min(image.cols(), b.x2() + mx);
        int y2 = (int) Math.min(image.rows(), b.y2() + my);
        try (Rect r = new Rect(x1, y1, x2 - x1, y2 - y1); Mat crop = new Mat(image, r)) {
            imwrite(file.toString(), crop);
        }
    }

    /** The photo and its largest face, or null when it has none. */
    private static VisitFrameSource.Visit visit(FacePipeline vision, String label, Path photo) {
        Mat image;
        try {
            image = Images.read(photo, vision.config().maxImagePixels());
        } catch (ImageException e) {
            return null;
        }
        List<DetectedFace> faces = vision.detect(image);
        if (faces.isEmpty()) {
            image.close();
            return null;
        }
        return new VisitFrameSource.Visit(label, image, faces.get(0).box());
    }

    @Override
    public void close() {
        visitors.forEach(v -> v.visit().photo().close());
    }
}

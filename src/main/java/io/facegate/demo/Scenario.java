package io.facegate.demo;

import io.facegate.bench.FaceDataset;
import io.facegate.camera.VisitFrameSource;
import io.facegate.vision.BoundingBox;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.vision.ImageException;
import io.facegate.vision.Images;
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
 * installs (each face is a visitor; every other one is enrolled from a crop of the photo and walks up in the
 * mirrored photo, so the camera never shows the enrollment image itself).
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
        int n = 0;
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
                    n++;
                    String id = String.format("visitor-%02d", n);
                    boolean enrolled = n % 2 == 1;
                    if (enrolled) {
                        Path crop = workDir.resolve(id + ".jpg");
                        writeCrop(image, face.box(), crop);
                        enrollees.add(new Enrollee(id, "Visitor " + n, List.of(crop)));
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

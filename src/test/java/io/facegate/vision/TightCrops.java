package io.facegate.vision;

import io.facegate.image.Images;
import io.facegate.image.ImageException;
import io.facegate.config.VisionConfig;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

/**
 * Grey, tight face crops like the ORL/AT&T style photos users send (92x112, the face filling the photo), made from
 * ordinary photos: the detected face box enlarged {@value #ENLARGE}x about its centre, widened or heightened to
 * the 92:112 aspect, resampled and turned grey. Used by the tests and, through {@link #main}, to build a folder for
 * {@code facegate bench verify} in a scratch directory (photos are never committed).
 */
public final class TightCrops {
    public static final int WIDTH = 92;
    public static final int HEIGHT = 112;
    static final double ENLARGE = 1.1;

    private TightCrops() {
    }

    /** The tight grey crop of {@code box} in {@code bgr}, as a 3-channel BGR image (as a grey file decodes). */
    public static Mat crop(Mat bgr, BoundingBox box) {
        return crop(bgr, box, ENLARGE);
    }

    /** As {@link #crop(Mat, BoundingBox)} with the box enlarged {@code enlarge} times instead. */
    public static Mat crop(Mat bgr, BoundingBox box, double enlarge) {
        double h = enlarge * Math.max(box.height(), box.width() * HEIGHT / (double) WIDTH);
        double w = h * WIDTH / HEIGHT;
        double x1 = box.centerX() - w / 2;
        double y1 = box.centerY() - h / 2;
        double sx = WIDTH / w;
        double sy = HEIGHT / h;
        double[] m = {sx, 0, (0.5 - x1) * sx - 0.5, 0, sy, (0.5 - y1) * sy - 0.5};
        try (DoublePointer dp = new DoublePointer(m); Mat affine = new Mat(2, 3, CV_64F, dp);
             Size size = new Size(WIDTH, HEIGHT); Scalar black = new Scalar(0, 0, 0, 0);
             Mat cropped = new Mat(); Mat grey = new Mat()) {
            // the source photos are large: INTER_AREA averages instead of aliasing; the replicated border keeps a
            // face near the photo's edge from getting a black band a real tight crop would not have
            warpAffine(bgr, cropped, affine, size, INTER_AREA, BORDER_REPLICATE, black);
            cvtColor(cropped, grey, COLOR_BGR2GRAY);
            Mat out = new Mat();
            cvtColor(grey, out, COLOR_GRAY2BGR);
            return out;
        }
    }

    /**
     * {@code main SRC DST [ENLARGE [MODELS]]}: for every {@code SRC/<person>/<photo>}, writes the tight crop of its largest
     * face (found with padding {@code auto}: on an ordinary photo the face is well inside the frame) to
     * {@code DST/<person>/<photo>.png}. Photos without a face are reported and skipped.
     */
    public static void main(String[] args) throws IOException, ImageException {
        Path src = Path.of(args[0]);
        Path dst = Path.of(args[1]);
        double enlarge = args.length > 2 ? Double.parseDouble(args[2]) : ENLARGE;
        Path models = Path.of(args.length > 3 ? args[3] : "models");
        VisionConfig config = VisionConfig.defaults().withModelsDir(models).withDetectPadding("auto");
        try (FacePipeline pipeline = FacePipeline.open(config); Stream<Path> files = Files.walk(src)) {
            List<Path> photos = files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches("(?i).*\\.(jpe?g|png|bmp|pgm|webp)$"))
                    .sorted().toList();
            for (Path photo : photos) {
                try (Mat image = Images.read(photo, config.maxImagePixels())) {
                    List<DetectedFace> faces = pipeline.detect(image);
                    if (faces.isEmpty()) {
                        System.err.println("no face: " + photo);
                        continue;
                    }
                    Path out = dst.resolve(src.relativize(photo)).resolveSibling(
                            photo.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".png");
                    Files.createDirectories(out.getParent());
                    try (Mat crop = crop(image, faces.get(0).box(), enlarge); Mat grey = new Mat()) {
                        cvtColor(crop, grey, COLOR_BGR2GRAY);
                        imwrite(out.toString(), grey);
                    }
                }
            }
        }
    }
}

package io.facegate.cli;

import io.facegate.vision.DetectedFace;
import io.facegate.vision.Embeddings;
import io.facegate.vision.FacePipeline;
import io.facegate.vision.ImageException;
import io.facegate.vision.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code facegate compare A B}: one-to-one verification of the largest face in each photo. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare the largest face in two photos: cosine similarity and whether it passes the threshold.")
public final class CompareCommand implements Callable<Integer> {
    /** Cosine similarity at which the default model pack gave a false-accept rate of about 1e-3. */
    public static final double DEFAULT_THRESHOLD = 0.41;

    @Parameters(index = "0", paramLabel = "A", description = "First photo.")
    Path first;

    @Parameters(index = "1", paramLabel = "B", description = "Second photo.")
    Path second;

    @Option(names = "--threshold", description = "Cosine threshold for 'same person' (default: ${DEFAULT-VALUE}).")
    double threshold = DEFAULT_THRESHOLD;

    @Mixin
    VisionOptions vision;

    @Override
    public Integer call() {
        try (FacePipeline pipeline = vision.open()) {
            float[] a = embedLargest(pipeline, first);
            float[] b = embedLargest(pipeline, second);
            double similarity = Embeddings.cosine(a, b);
            boolean same = similarity >= threshold;
            System.out.printf(Locale.ROOT, "similarity %.4f (threshold %.2f): %s%n", similarity, threshold,
                    same ? "same person" : "different people");
            return same ? 0 : 1;
        } catch (ImageException e) {
            System.err.println("compare: " + e.getMessage());
            return 2;
        }
    }

    private float[] embedLargest(FacePipeline pipeline, Path photo) throws ImageException {
        try (Mat image = Images.read(photo, pipeline.config().maxImagePixels())) {
            List<DetectedFace> faces = pipeline.detect(image);
            if (faces.isEmpty()) {
                throw new ImageException(photo + ": no face found");
            }
            return pipeline.embed(image, faces.get(0));
        }
    }
}

package io.facegate.bench;

import io.facegate.access.FrameQuality;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.vision.FaceSample;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The largest face of a photo as the decision rule sees it: its unit embedding and its quality.
 *
 * @param embedding unit-length embedding (biometric data: never logged)
 * @param quality   the quality measures the rule's gates read
 */
public record FaceProbe(float[] embedding, FrameQuality quality) {
    /** JPEGs are decoded at reduced scale down to this shorter side: the models never see more. */
    public static final int RECOGNITION_SHORT_SIDE = 640;

    /** The photo's largest face, or empty when it has none. */
    public static Optional<FaceProbe> largest(FacePipeline pipeline, Path photo) throws ImageException {
        try (Mat image = Images.readForRecognition(photo, pipeline.config().maxImagePixels(), RECOGNITION_SHORT_SIDE)) {
            List<DetectedFace> faces = pipeline.detect(image);
            if (faces.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(of(pipeline, image, faces.get(0)));
        }
    }

    /** One face of an image. */
    public static FaceProbe of(FacePipeline pipeline, Mat image, DetectedFace face) {
        FaceSample s = pipeline.embedWithQuality(image, face);
        return new FaceProbe(s.embedding(), FrameQuality.of(s.quality()));
    }
}

package io.facegate.vision;

import io.facegate.TestData;
import io.facegate.bench.FaceDataset;
import io.facegate.config.AccessConfig;
import io.facegate.config.VisionConfig;
import io.facegate.image.Images;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT_101;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Planarity on the landmark model's real points: a face that only comes closer (scaled and shifted, as the demo
 * camera's visitors walk up) has no out-of-plane motion, so the check should not call it planar; its landmark errors
 * alone do, sometimes. With all 68 points, min motion 0.02 and threshold 0.6, 24 of 488 windows of 5 frames (4.9%)
 * were called planar; without the jaw line, at 0.04 / 0.5 and comparing only frames of about one face size, 6
 * (1.2%, all from one photo, p07/4). This keeps that rate below 2%: the rest is documented in docs/liveness.md.
 */
class PlanarityRealLandmarksTest {
    private static FacePipeline pipeline;

    @BeforeAll
    static void open() {
        pipeline = FacePipeline.open(VisionConfig.defaults().withModelsDir(TestData.models()));
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** As camera.VisitFrameSource renders a visit: the face grows from 0.2 to 0.33 of 640 px, with sway. */
    private static Mat walkUp(Mat photo, BoundingBox face, int frame, int frames) {
        double progress = frame / (double) (frames - 1);
        double scale = 640 * (0.2 + 0.13 * progress) / face.width();
        double tx = 320 + Math.sin(frame * 0.9) * 6.4 - scale * face.centerX();
        double ty = 480 * 0.45 - scale * face.centerY();
        Mat out = new Mat();
        try (DoublePointer dp = new DoublePointer(scale, 0, tx, 0, scale, ty); Mat m = new Mat(2, 3, CV_64F, dp);
             Size size = new Size(640, 480); Scalar grey = new Scalar(90, 90, 90, 0)) {
            warpAffine(photo, out, m, size, INTER_LINEAR, BORDER_REFLECT_101, grey);
        }
        return out;
    }

    @Test
    void aFaceThatOnlyComesCloserIsRarelyTakenForAPlane() throws Exception {
        AccessConfig cfg = AccessConfig.defaults();
        Planarity planarity = new Planarity(cfg.planarityMinMotion(), cfg.planarityThreshold());
        List<String> planar = new ArrayList<>();
        int windows = 0;
        for (FaceDataset.Person person : FaceDataset.load(TestData.faces("deepface")).people()) {
          for (java.nio.file.Path path : person.photos()) {
            try (Mat photo = Images.readForRecognition(path, 40_000_000L, 640)) {
                List<DetectedFace> found = pipeline.detect(photo);
                if (found.isEmpty()) {
                    continue;
                }
                List<float[]> points = new ArrayList<>();
                for (int f = 0; f < 12; f++) {
                    try (Mat frame = walkUp(photo, found.get(0).box(), f, 12)) {
                        List<DetectedFace> faces = pipeline.detect(frame);
                        if (!faces.isEmpty()) {
                            points.add(faces.get(0).landmarks68());
                        }
                    }
                }
                // the policy judges up to max_frames consecutive good frames
                for (int i = 0; i + cfg.maxFrames() <= points.size(); i++) {
                    Planarity.Result r = planarity.judge(points.subList(i, i + cfg.maxFrames()));
                    windows++;
                    if (r.verdict() == Planarity.Verdict.PLANAR) {
                        planar.add(path.getParent().getFileName() + "/" + path.getFileName() + " frames " + i + "+: "
                                + r);
                    }
                }
            }
          }
        }
        assertTrue(windows > 50, "only " + windows + " windows judged");
        assertTrue(planar.size() <= 0.02 * windows,
                planar.size() + " of " + windows + " walk-up windows called planar: " + planar);
    }
}

package io.facegate.gallery;

import io.facegate.config.GalleryConfig;
import io.facegate.config.VisionConfig;
import io.facegate.vision.FacePipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Manual: prints the gate measures of every photo under the given folders. */
public final class Calibrate {
    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("cal");
        try (FacePipeline fp = FacePipeline.open(VisionConfig.defaults());
             Gallery g = Gallery.open(GalleryConfig.defaults().withDataDir(tmp), fp.featureModel())) {
            Enroller e = new Enroller(fp, g);
            for (String a : args) {
                List<Path> files;
                try (Stream<Path> w = Files.walk(Path.of(a))) {
                    files = w.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".txt")).sorted().toList();
                }
                for (Path p : files) {
                    Enroller.PhotoOutcome o = e.check(p);
                    Enroller.Measures m = o.measures();
                    System.out.printf("%-50s %-16s %s %s%n", p, o.rejection() == null ? "OK" : o.rejection(),
                            m == null ? "" : String.format("eye=%.0f w=%.0f sharp=%.1f yaw=%.2f det=%.2f n=%d",
                                    m.eyeDistancePx(), m.faceWidthPx(), m.sharpness(), m.yaw(), m.detectorScore(), m.faces()),
                            o.message());
                }
            }
        }
    }
}

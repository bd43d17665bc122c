package io.facegate.daemon;

import io.facegate.TestData;
import io.facegate.camera.VisitFrameSource;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.vision.BoundingBox;
import io.facegate.vision.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A person enrolled with the CLI (another gallery connection) while the daemon runs reaches its matcher. */
class GalleryReloadTest {

    @Test
    void enrollmentByAnotherProcessIsPickedUpWhileRunning(@TempDir Path tmp) throws Exception {
        Path faces = TestData.faces("deepface");
        FacegateConfig cfg = ConfigLoader.parse(String.join("\n",
                "vision: {models_dir: '" + TestData.models() + "'}",
                "gallery: {data_dir: '" + tmp + "'}",
                "door: {provider: mock, modes_path: '" + tmp.resolve("door.modes") + "'}",
                "mqtt: {enabled: false, state_path: '" + tmp.resolve("mqtt.db") + "'}", ""));
        try (Mat photo = Images.read(faces.resolve("p05/1.jpg"), 40_000_000L)) {
            VisitFrameSource camera = new VisitFrameSource(
                    List.of(new VisitFrameSource.Visit("p05", photo, new BoundingBox(290, 63, 487, 310))),
                    320, 240, 5, 5, 10, true, null);
            Facegate daemon = Facegate.start(cfg, new Facegate.Options(camera, null, Clock.systemUTC()));
            try {
                assertTrue(daemon.gallery().persons().isEmpty());
                // what `facegate enroll` does: its own connection to the same gallery file
                try (Gallery cli = Gallery.open(cfg.gallery(), daemon.vision().featureModel())) {
                    Enroller.Outcome o = new Enroller(daemon.vision(), cli).enroll(
                            Person.of("p05", "P Five", Set.of("staff")), List.of(faces.resolve("p05/2.jpg")), false);
                    assertTrue(o.change().isPresent(), "enrolled");
                }
                long deadline = System.nanoTime() + 15_000_000_000L;
                while (daemon.gallery().person("p05").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(daemon.gallery().person("p05").isPresent(), "the daemon's gallery reloaded");
                assertTrue(daemon.gallery().templateCount() >= 1);
            } finally {
                daemon.close();
            }
        }
    }
}

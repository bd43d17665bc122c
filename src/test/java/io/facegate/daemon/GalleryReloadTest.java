package io.facegate.daemon;

import io.facegate.TestData;
import io.facegate.demo.VisitFrameSource;
import io.facegate.config.ConfigLoader;
import io.facegate.config.FacegateConfig;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.GalleryException;
import io.facegate.gallery.GalleryFaults;
import io.facegate.gallery.GalleryStore;
import io.facegate.gallery.GalleryWriteException;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import io.facegate.mqtt.CommandResult;
import io.facegate.mqtt.DeviceHealth;
import io.facegate.mqtt.EnrollRequest;
import io.facegate.vision.BoundingBox;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changes made by another process (the CLI) reach the running daemon's matcher; a bad record or a bad stored row
 * cannot stop that (issue 10, finding 1), and a gallery that cannot record a revocation stops the start.
 */
class GalleryReloadTest {

    private static FacegateConfig config(Path tmp) {
        return ConfigLoader.parse(String.join("\n",
                "vision: {models_dir: '" + TestData.models() + "'}",
                "gallery: {data_dir: '" + tmp + "'}",
                "door: {provider: mock}",
                "mqtt: {enabled: false, state_path: '" + tmp.resolve("mqtt.db") + "'}", ""));
    }

    /** A camera that shows one visitor from a real photo. */
    private static Facegate start(FacegateConfig cfg, Mat photo) {
        VisitFrameSource camera = new VisitFrameSource(
                List.of(new VisitFrameSource.Visit("p05", photo, new BoundingBox(290, 63, 487, 310))),
                320, 240, 5, 5, 10, true, null);
        return Facegate.start(cfg, new Facegate.Options(camera, null, Clock.systemUTC()));
    }

    /** A random unit vector: a valid template that matches nobody else. */
    private static float[] unit(SplittableRandom rnd, int dim) {
        float[] v = new float[dim];
        double ss = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
            ss += v[i] * v[i];
        }
        for (int i = 0; i < dim; i++) {
            v[i] /= (float) Math.sqrt(ss);
        }
        return v;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    @Test
    void aZeroTemplateRecordIsRefusedUnstoredAndABadStoredRowCannotBlockARevocation(@TempDir Path tmp)
            throws Exception {
        Path faces = TestData.faces("deepface");
        FacegateConfig cfg = config(tmp);
        float[] alice = unit(new SplittableRandom(11), 512);
        try (Mat photo = Images.read(faces.resolve("p05/1.jpg"), 40_000_000L)) {
            Facegate daemon = start(cfg, photo);
            String sha = daemon.vision().featureModel().sha256();
            try {
                // finding 1: a signed fleet record with an all-zero template
                DaemonActions actions = new DaemonActions(daemon.gallery(), new Enroller(daemon.vision(),
                        daemon.gallery()), daemon.vision(), daemon.door(), cfg.door());
                CommandResult r = actions.enroll(new EnrollRequest("mallory", "M", Set.of(), true, null, null,
                        List.of(), List.of(new float[512]), sha));
                assertFalse(r.ok(), r.toString());
                assertEquals("bad_request", r.code());
                assertTrue(r.message().contains("zero norm"), r.message());
                assertTrue(daemon.gallery().store().person("mallory").isEmpty(), "refused and not stored");
                assertTrue(actions.enroll(new EnrollRequest("alice", "Alice", Set.of(), true, null, null, List.of(),
                        List.of(alice), sha)).ok());

                // a row an older version stored: quarantined, loudly, and the CLI's removal still reaches the door
                GalleryFaults.plantInvalidRow(cfg.gallery().databaseFile(), "alice", new float[512], sha);
                await(() -> "degraded".equals(daemon.health().galleryState()), "health says degraded");
                DeviceHealth h = daemon.health();
                assertTrue(h.lastError().contains("quarantined"), h.lastError());
                assertEquals("alice", daemon.gallery().best(alice).personId(), "alice's good template works");
                try (GalleryStore cli = GalleryStore.open(cfg.gallery().databaseFile())) {
                    assertTrue(cli.removePerson("alice").isPresent());
                }
                await(() -> daemon.gallery().find("alice").isEmpty(), "the CLI's removal reached the daemon");
                assertFalse("alice".equals(daemon.gallery().best(alice).personId()));

                // finding 7 over MQTT: an admin remove the store cannot commit (another writer holds the lock)
                float[] carol = unit(new SplittableRandom(13), 512);
                assertTrue(actions.enroll(new EnrollRequest("carol", "Carol", Set.of(), true, null, null, List.of(),
                        List.of(carol), sha)).ok());
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + cfg.gallery().databaseFile());
                     Statement st = other.createStatement()) {
                    st.execute("BEGIN IMMEDIATE");
                    CommandResult removal = actions.removePerson("carol"); // waits out the 10 s lock timeout
                    assertFalse(removal.ok(), "never ok when not stored: " + removal);
                    assertEquals("not_stored", removal.code());
                    assertTrue(removal.message().contains("locked"), removal.message());
                    assertTrue(daemon.gallery().find("carol").isEmpty(), "denied at once all the same");
                    assertFalse("carol".equals(daemon.gallery().best(carol).personId()));
                    assertTrue(daemon.health().lastError().contains("remove carol NOT committed"),
                            daemon.health().lastError());
                    st.execute("ROLLBACK");
                }
                assertTrue(actions.removePerson("carol").ok(), "sent again, it is stored");
                assertTrue(daemon.gallery().store().person("carol").isEmpty());

                // a gallery file the daemon cannot read any more: nobody is vouched for, health says why
                try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + cfg.gallery().databaseFile());
                     Statement st = other.createStatement()) {
                    st.execute("ALTER TABLE meta RENAME TO meta_elsewhere");
                    await(() -> daemon.health().lastError() != null
                            && daemon.health().lastError().contains("cannot read the gallery"), "health says why");
                    assertFalse(daemon.gallery().vouchesFor("nobody-in-particular"));
                    assertTrue(actions.galleryState().contentHash() == null, "health still goes out, hash unknown");
                    st.execute("ALTER TABLE meta_elsewhere RENAME TO meta");
                }
                await(() -> daemon.gallery().vouchesFor("anyone"), "readable again");
            } finally {
                daemon.close();
            }

            // an invalid row left by an older version does not stop the next start
            try (GalleryStore cli = GalleryStore.open(cfg.gallery().databaseFile())) {
                cli.enroll(Person.of("bob", "Bob", null), List.of(new Template("bob",
                        unit(new SplittableRandom(12), 512), "fr_feature", sha, 1, "e".repeat(64),
                        Instant.now())), false, 5);
            }
            GalleryFaults.plantInvalidRow(cfg.gallery().databaseFile(), "bob", new float[512], sha);
            Facegate again = start(cfg, photo);
            try {
                assertEquals("degraded", again.health().galleryState());
                assertTrue(again.health().lastError().contains("person bob"), again.health().lastError());
                assertTrue(again.gallery().find("bob").isPresent());
            } finally {
                again.close();
            }
        }
    }

    @Test
    void aReadOnlyGalleryStopsTheStartNamingTheCause(@TempDir Path tmp) throws Exception {
        Path faces = TestData.faces("deepface");
        FacegateConfig cfg = config(tmp);
        GalleryStore.open(cfg.gallery().databaseFile()).close();
        try (Mat photo = Images.read(faces.resolve("p05/1.jpg"), 40_000_000L);
             AutoCloseable ro = GalleryFaults.readOnly(cfg.gallery().databaseFile())) {
            GalleryException e = assertThrows(GalleryWriteException.class, () -> start(cfg, photo).close());
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

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

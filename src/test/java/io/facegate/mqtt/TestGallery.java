package io.facegate.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.facegate.TestData;
import io.facegate.config.DoorConfig;
import io.facegate.config.GalleryConfig;
import io.facegate.config.VisionConfig;
import io.facegate.config.Yaml;
import io.facegate.daemon.DaemonActionsAccess;
import io.facegate.door.DoorController;
import io.facegate.door.ExecutorDoorScheduler;
import io.facegate.door.Pi4jDoorHardware;
import io.facegate.gallery.Enroller;
import io.facegate.gallery.Gallery;
import io.facegate.gallery.Person;
import io.facegate.vision.FacePipeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One door's production command handler for the MQTT tests: {@code daemon.DaemonActions} over a real
 * {@link Gallery} (SQLite in the test's directory), the real {@link Enroller} with the installed models, and the real
 * {@link DoorController} on Pi4J's mock provider (the only fake: the relay). Skipped, saying why, without the models.
 */
final class TestGallery implements AutoCloseable {
    private static FacePipeline pipeline;

    final Gallery gallery;
    final DoorController door;
    final DeviceActions actions;
    private final List<String> doorLog = new ArrayList<>();

    TestGallery(Path dir, String device) {
        this(dir, device, io.facegate.daemon.FaceCapture.disabled());
    }

    /** With the daemon's face capture (capture_faces / delete_capture commands). */
    TestGallery(Path dir, String device, io.facegate.daemon.FaceCapture capture) {
        FacePipeline vision = pipeline();
        this.gallery = Gallery.open(GalleryConfig.defaults().withDataDir(dir.resolve(device + "-gallery")),
                vision.featureModel());
        DoorConfig cfg = doorConfig(dir.resolve(device + ".modes"));
        this.door = new DoorController(new Pi4jDoorHardware(cfg, false), cfg, Clock.systemUTC(),
                new ExecutorDoorScheduler());
        door.addListener(e -> {
            synchronized (doorLog) {
                doorLog.add(e.type() + (e.detail() == null ? "" : " " + e.detail()));
            }
        });
        door.start();
        this.actions = DaemonActionsAccess.create(gallery, new Enroller(vision, gallery), vision, door, cfg, capture);
    }

    /** The models, opened once per test JVM (they are read-only and shared by every door of a test). */
    static synchronized FacePipeline pipeline() {
        if (pipeline == null) {
            pipeline = FacePipeline.open(VisionConfig.defaults().withModelsDir(TestData.models()));
        }
        return pipeline;
    }

    /** Pi4J's mock relay; lockdown and hold-open kept in {@code modes} (the test's own folder). */
    static DoorConfig doorConfig(Path modes) {
        try {
            return Yaml.mapper().readValue("{provider: mock, modes_path: '" + modes + "'}", DoorConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the loaded feature model: what fleet template records must name. */
    static String modelSha256() {
        return pipeline().featureModel().sha256();
    }

    /**
     * A valid template for the loaded model, as a fleet record carries it (base64 float32 little-endian): a unit
     * vector drawn from {@code seed}, so different seeds are different people to the duplicate check.
     */
    static String template(long seed) {
        int dim = pipeline().embeddingDimension();
        Random r = new Random(seed);
        float[] v = new float[dim];
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
            norm += v[i] * v[i];
        }
        ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat((float) (f / Math.sqrt(norm)));
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    GalleryState galleryState() {
        return actions.galleryState();
    }

    Set<String> personIds() {
        Set<String> ids = new TreeSet<>();
        for (Person p : gallery.persons()) {
            ids.add(p.id());
        }
        return ids;
    }

    String nameOf(String id) {
        return gallery.person(id).map(Person::displayName).orElse(null);
    }

    /** What the door did (unlocks, lockdowns, relay events), in order. */
    List<String> doorLog() {
        synchronized (doorLog) {
            return List.copyOf(doorLog);
        }
    }

    boolean unlocked() {
        return door.state().unlocked();
    }

    /** The persons stored in a door's gallery file (after its process is gone). */
    static Set<String> personIdsIn(Path dir, String device) {
        try (Gallery g = Gallery.open(GalleryConfig.defaults().withDataDir(dir.resolve(device + "-gallery")),
                pipeline().featureModel())) {
            Set<String> ids = new TreeSet<>();
            g.persons().forEach(p -> ids.add(p.id()));
            return ids;
        }
    }

    @Override
    public void close() {
        door.close();
        gallery.close();
    }
}

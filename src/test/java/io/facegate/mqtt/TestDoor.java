package io.facegate.mqtt;

import io.facegate.config.MqttConfig;

import io.facegate.TestData;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One door for integration tests: the production command handler, gallery and door controller
 * ({@link TestGallery}) behind a real {@link MqttDoor}.
 */
final class TestDoor implements AutoCloseable {
    final String id;
    final TestGallery gallery;
    final MqttDoor mqtt;

    TestDoor(String uri, String id, Path dir, List<KeyPair> admins, int maxCommandBytes) throws Exception {
        this(uri, id, dir, admins, maxCommandBytes, null);
    }

    TestDoor(String uri, String id, Path dir, List<KeyPair> admins, int maxCommandBytes,
             MqttConfig.HomeAssistant ha) throws Exception {
        this(uri, id, dir, admins, maxCommandBytes, ha, fleetKeyFile(dir));
    }

    /** A door reading the fleet key in {@code fleetKey} (one not given the new key after a rotation, say). */
    TestDoor(String uri, String id, Path dir, List<KeyPair> admins, int maxCommandBytes,
             MqttConfig.HomeAssistant ha, Path fleetKey) throws Exception {
        this.id = id;
        this.gallery = new TestGallery(dir, id);
        List<String> keys = admins.stream()
                .map(k -> Base64.getEncoder().encodeToString(k.getPublic().getEncoded())).toList();
        MqttConfig cfg = new MqttConfig(true, uri, id, "facegate", null, null, null, null, null, 5, 100L, 1000L,
                dir.resolve(id + "-mqtt.db").toString(), 10_000, keys, maxCommandBytes, 60, 1, null, ha)
                .withFleetKey(fleetKey.toString());
        this.mqtt = new MqttDoor(cfg, gallery.actions, DeviceHealth::unknown, Clock.systemUTC());
    }

    /** The test's fleet key file ({@code dir/fleet.key}, mode 600), made on first use: every door of a test reads it. */
    static synchronized Path fleetKeyFile(Path dir) {
        Path f = dir.resolve("fleet.key");
        if (!Files.exists(f)) {
            try {
                FleetKeyRing.create().save(f);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return f;
    }

    /** The test's fleet key, for admin clients. */
    static FleetKeyRing fleetKey(Path dir) {
        return FleetKeyRing.load(fleetKeyFile(dir));
    }

    TestDoor start() {
        mqtt.start();
        return this;
    }

    TestDoor awaitConnected() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!mqtt.connected()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(id + " did not connect");
            }
            Thread.sleep(20);
        }
        return this;
    }

    /** Gallery content hash, persons, sync version and heads hash: "nothing changed" on one door. */
    Map<String, Object> state() {
        GalleryState g = gallery.galleryState();
        CommandLedger.SyncState s = mqtt.syncState();
        return Map.of("content_hash", g.contentHash(), "persons", g.persons(), "version", s.version(),
                "heads_hash", s.headsHash());
    }

    /**
     * What "same gallery" means across doors: the persons with their names, sync version and heads hash. Not the
     * content hash: DaemonActions stamps templates from a fleet record with each door's own clock, and the
     * gallery's content hash covers that time, so two doors holding the same records report different hashes.
     */
    Map<String, Object> syncedState() {
        CommandLedger.SyncState s = mqtt.syncState();
        Map<String, String> names = new java.util.TreeMap<>();
        for (String p : gallery.personIds()) {
            names.put(p, gallery.nameOf(p));
        }
        return Map.of("persons", names, "version", s.version(), "heads_hash", s.headsHash());
    }

    @Override
    public void close() {
        mqtt.close();
        gallery.close();
    }

    /**
     * A real face photo (the bbt set's tight 150x150 crops, about 15 KB): {@code seed} 0-7 are eight different
     * people to the enroller's duplicate check. Skipped, saying why, when the photos are absent.
     */
    static byte[] photo(int seed) {
        Path set = TestData.faces("bbt");
        try (var people = Files.list(set)) {
            List<Path> dirs = people.filter(Files::isDirectory).sorted().toList();
            return Files.readAllBytes(dirs.get(Math.floorMod(seed, dirs.size())).resolve("1.png"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real face photo shrunk to {@code size} pixels: a face too small for the enrollment gates. */
    static byte[] tiny(int seed, int size) {
        try {
            BufferedImage src = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(photo(seed)));
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.drawImage(src, 0, 0, size, size, null);
            g.dispose();
            return png(img);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] flat(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, size, size);
        g.dispose();
        return png(img);
    }

    private static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            javax.imageio.ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.facegate.mqtt;

import io.facegate.config.MqttConfig;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One door for integration tests: a real {@link TestGallery} on SQLite behind a real {@link MqttDoor}. */
final class TestDoor implements AutoCloseable {
    final String id;
    final TestGallery gallery;
    final MqttDoor mqtt;

    TestDoor(String uri, String id, Path dir, List<KeyPair> admins, int maxCommandBytes) throws Exception {
        this(uri, id, dir, admins, maxCommandBytes, null);
    }

    TestDoor(String uri, String id, Path dir, List<KeyPair> admins, int maxCommandBytes,
             MqttConfig.HomeAssistant ha) throws Exception {
        this.id = id;
        this.gallery = new TestGallery(dir.resolve(id + "-gallery.db"));
        List<String> keys = admins.stream()
                .map(k -> Base64.getEncoder().encodeToString(k.getPublic().getEncoded())).toList();
        MqttConfig cfg = new MqttConfig(true, uri, id, "facegate", null, null, null, null, null, 5, 100L, 1000L,
                dir.resolve(id + "-mqtt.db").toString(), 10_000, keys, maxCommandBytes, 60, 1, null, ha);
        this.mqtt = new MqttDoor(cfg, gallery, DeviceHealth::unknown, Clock.systemUTC());
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

    /** Gallery content hash, persons, sync version and heads hash: what "same gallery" means in the tests. */
    Map<String, Object> state() {
        GalleryState g = gallery.galleryState();
        CommandLedger.SyncState s = mqtt.syncState();
        return Map.of("content_hash", g.contentHash(), "persons", g.persons(), "version", s.version(),
                "heads_hash", s.headsHash());
    }

    @Override
    public void close() throws java.sql.SQLException {
        mqtt.close();
        gallery.close();
    }

    /** A synthetic face-sized PNG with real contrast; {@code seed} varies the picture. */
    static byte[] photo(int seed, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(seed * 37 % 256, 40, 90), size, size,
                new Color(230, seed * 91 % 256, 20)));
        g.fillRect(0, 0, size, size);
        g.setColor(Color.BLACK);
        g.fillOval(size / 4, size / 4 + seed % 7, size / 2, size / 2);
        g.dispose();
        return png(img);
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

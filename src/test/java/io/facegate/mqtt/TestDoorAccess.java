package io.facegate.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;

/** Lets tests of other packages (the CLI) run a {@link TestDoor}: the production handler behind a real MqttDoor. */
public final class TestDoorAccess implements AutoCloseable {
    private final TestDoor door;

    private TestDoorAccess(TestDoor door) {
        this.door = door;
    }

    public static TestDoorAccess start(String uri, String id, Path dir, Path adminPub) throws Exception {
        KeyPair verifyOnly = new KeyPair(AdminKeys.decodePublic(Files.readString(adminPub), adminPub.toString()), null);
        return new TestDoorAccess(new TestDoor(uri, id, dir, List.of(verifyOnly), 1 << 20).start().awaitConnected());
    }

    /** The fleet key file the test doors of {@code dir} read (made on first use). */
    public static Path fleetKeyFile(Path dir) {
        return TestDoor.fleetKeyFile(dir);
    }

    /** A real face photo; seeds 0-7 are different people. */
    public static byte[] photo(int seed) {
        return TestDoor.photo(seed);
    }

    public String contentHash() {
        return door.gallery.galleryState().contentHash();
    }

    public int persons() {
        return door.gallery.galleryState().persons();
    }

    public String nameOf(String id) {
        return door.gallery.nameOf(id);
    }

    /** The production door controller's state: true while the relay holds the door unlocked. */
    public boolean unlocked() {
        return door.gallery.unlocked();
    }

    public void event(String type) {
        door.mqtt.publish(EventMessage.Draft.of(type, Instant.now(), null, null, "test"));
    }

    @Override
    public void close() {
        door.close();
    }
}

package io.facegate.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;

/** Lets tests of other packages (the CLI) run a {@link TestDoor}. */
public final class TestDoorAccess implements AutoCloseable {
    private final TestDoor door;

    private TestDoorAccess(TestDoor door) {
        this.door = door;
    }

    public static TestDoorAccess start(String uri, String id, Path dir, Path adminPub) throws Exception {
        KeyPair verifyOnly = new KeyPair(AdminKeys.decodePublic(Files.readString(adminPub), adminPub.toString()), null);
        return new TestDoorAccess(new TestDoor(uri, id, dir, List.of(verifyOnly), 1 << 20).start().awaitConnected());
    }

    public static byte[] photo(int seed) {
        return TestDoor.photo(seed, 96);
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

    public void event(String type) {
        door.mqtt.publish(EventMessage.Draft.of(type, Instant.now(), null, null, "test"));
    }

    @Override
    public void close() throws java.sql.SQLException {
        door.close();
    }
}

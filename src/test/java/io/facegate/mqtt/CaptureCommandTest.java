package io.facegate.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.facegate.config.Yaml;
import io.facegate.daemon.FaceCapture;
import io.facegate.vision.BoundingBox;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * capture_faces and delete_capture as signed commands through the real {@link CommandProcessor} and the
 * production handler (DaemonActions over {@link FaceCapture}): validated before anything is stored, used once.
 */
class CaptureCommandTest {
    private static final ObjectMapper JSON = Yaml.jsonMapper();

    @TempDir
    Path dir;
    private final KeyPair admin = AdminKeys.generate();
    private StateDb db;
    private TestGallery door;
    private FaceCapture capture;
    private CommandProcessor processor;

    @BeforeEach
    void open() {
        db = StateDb.open(dir.resolve("state.db"));
        capture = new FaceCapture(dir.resolve("captures"), Clock.systemUTC());
        door = new TestGallery(dir, "door-1", capture);
        processor = new CommandProcessor("door-1", AdminKeys.generate(),
                Map.of(AdminKeys.keyId(admin.getPublic()), admin.getPublic()), 1 << 20, Duration.ofSeconds(60),
                door.actions, new CommandLedger(db), Clock.systemUTC(), null);
    }

    @AfterEach
    void close() throws Exception {
        door.close();
        db.close();
    }

    private byte[] cmd(CommandKind kind, ObjectNode body) throws Exception {
        Instant now = Instant.now();
        return JSON.writeValueAsBytes(SignedCommand.sign(UUID.randomUUID().toString(), kind, "door-1", now,
                now.plusSeconds(300), body, admin.getPrivate(), admin.getPublic()));
    }

    private CommandProcessor.Reply handle(byte[] c) {
        return processor.handle(CommandProcessor.Source.DEVICE, c).orElseThrow();
    }

    private long crops(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }

    @Test
    void captureThenDeleteBySignedCommands() throws Exception {
        byte[] start = cmd(CommandKind.CAPTURE_FACES,
                JsonNodeFactory.instance.objectNode().put("folder", "lobby").put("seconds", 30));
        CommandProcessor.Reply ok = handle(start);
        assertTrue(ok.ok(), ok.toString());
        assertTrue(capture.active());
        try (Mat frame = new Mat(480, 640, CV_8UC3, new Scalar(100, 100, 100, 0))) {
            capture.offer(frame, new BoundingBox(300, 200, 360, 270)); // as the pipeline does for each face
        }
        assertEquals(1, crops(dir.resolve("captures/lobby")));
        assertEquals("replayed", handle(start).code(), "a command id counts once");

        CommandProcessor.Reply deleted = handle(cmd(CommandKind.DELETE_CAPTURE,
                JsonNodeFactory.instance.objectNode().put("folder", "lobby")));
        assertTrue(deleted.ok(), deleted.toString());
        assertFalse(Files.exists(dir.resolve("captures/lobby")));
        assertFalse(capture.active());
    }

    @Test
    void aFolderThatIsAPathOrTooLongACaptureIsRefusedBeforeAnythingIsStored() throws Exception {
        for (ObjectNode body : new ObjectNode[] {
                JsonNodeFactory.instance.objectNode().put("folder", "../../etc").put("seconds", 5),
                JsonNodeFactory.instance.objectNode().put("folder", "/tmp/x").put("seconds", 5),
                JsonNodeFactory.instance.objectNode().put("folder", "ok").put("seconds", 601),
                JsonNodeFactory.instance.objectNode().put("folder", "ok").put("seconds", 0),
                JsonNodeFactory.instance.objectNode().put("folder", "ok"),
                JsonNodeFactory.instance.objectNode().put("seconds", 5)}) {
            CommandProcessor.Reply r = handle(cmd(CommandKind.CAPTURE_FACES, body));
            assertFalse(r.ok(), body + ": " + r);
            assertTrue(r.message().contains("folder") || r.message().contains("seconds"), r.message());
        }
        assertFalse(capture.active());
        assertFalse(Files.exists(dir.resolve("captures")));
    }
}

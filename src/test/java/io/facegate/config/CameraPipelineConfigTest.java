package io.facegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonMappingException;
import org.junit.jupiter.api.Test;

class CameraPipelineConfigTest {

    private static <T> T parse(String yaml, Class<T> type) throws Exception {
        return Yaml.mapper().readValue(yaml, type);
    }

    private static String rootMessage(Exception e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Test
    void cameraDefaultsAreAUsbCamera() {
        CameraConfig c = CameraConfig.defaults();
        assertEquals(CameraConfig.SourceType.V4L2, c.type());
        assertEquals("/dev/video0", c.device());
        assertEquals(640, c.width());
        assertEquals(CameraConfig.PixelFormat.MJPEG, c.pixelFormat());
        assertEquals("mjpeg", c.pixelFormat().ffmpegName());
        assertEquals(500, c.reconnectInitialMs());
    }

    @Test
    void cameraSnakeCaseYaml() throws Exception {
        CameraConfig c = parse("""
                type: stream
                url: rtsp://cam.local:554/live
                read_timeout_ms: 3000
                reconnect_max_ms: 10000
                """, CameraConfig.class);
        assertEquals(CameraConfig.SourceType.STREAM, c.type());
        assertEquals(3000, c.readTimeoutMs());
        assertEquals(10_000, c.reconnectMaxMs());
        CameraConfig v = parse("type: v4l2\ndevice: /dev/video2\npixel_format: yuyv\nfps: 30\n", CameraConfig.class);
        assertEquals("yuyv422", v.pixelFormat().ffmpegName());
        assertEquals(30.0, v.fps());
    }

    @Test
    void cameraErrorsNameTheKey() {
        var e1 = assertThrows(JsonMappingException.class, () -> parse("type: stream\n", CameraConfig.class));
        assertTrue(rootMessage(e1).contains("camera.url"), rootMessage(e1));
        var e2 = assertThrows(JsonMappingException.class, () -> parse("type: stream\nurl: ftp://x\n", CameraConfig.class));
        assertTrue(rootMessage(e2).contains("camera.url"), rootMessage(e2));
        var e3 = assertThrows(JsonMappingException.class, () -> parse("type: folder\n", CameraConfig.class));
        assertTrue(rootMessage(e3).contains("camera.path"), rootMessage(e3));
        var e4 = assertThrows(JsonMappingException.class,
                () -> parse("reconnect_initial_ms: 5000\nreconnect_max_ms: 100\n", CameraConfig.class));
        assertTrue(rootMessage(e4).contains("camera.reconnect_max_ms"), rootMessage(e4));
        assertThrows(JsonMappingException.class, () -> parse("type: usb\n", CameraConfig.class), "unknown type");
        assertThrows(JsonMappingException.class, () -> parse("devcie: /dev/video0\n", CameraConfig.class), "typo");
    }

    @Test
    void exampleConfigurationSectionsParse() throws Exception {
        var path = java.nio.file.Path.of("deploy/facegate.yml");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(path), "run from the repository root");
        var tree = Yaml.mapper().readTree(path.toFile());
        CameraConfig camera = Yaml.mapper().treeToValue(tree.get("camera"), CameraConfig.class);
        PipelineConfig pipeline = Yaml.mapper().treeToValue(tree.get("pipeline"), PipelineConfig.class);
        assertEquals(CameraConfig.defaults(), camera, "the example spells out the defaults");
        assertEquals(PipelineConfig.defaults(), pipeline);
    }

    @Test
    void pipelineDefaultsYamlAndErrors() throws Exception {
        PipelineConfig d = PipelineConfig.defaults();
        assertEquals(60, d.minFacePx());
        assertEquals(250, d.embedIntervalMs());
        PipelineConfig p = parse("min_face_px: 80\nembed_interval_ms: 500\ntrack_iou_min: 0.4\ntrack_expire_ms: 2000\n",
                PipelineConfig.class);
        assertEquals(80, p.minFacePx());
        assertEquals(0.4, p.trackIouMin());
        assertEquals(2000, p.trackExpireMs());
        var e = assertThrows(JsonMappingException.class, () -> parse("track_iou_min: 1.5\n", PipelineConfig.class));
        assertTrue(rootMessage(e).contains("pipeline.track_iou_min"), rootMessage(e));
    }
}

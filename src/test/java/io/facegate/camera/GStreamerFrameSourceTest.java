package io.facegate.camera;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

class GStreamerFrameSourceTest {

    @Test
    void withoutGStreamerInOpenCvOpeningSaysSoAndNamesTheAlternatives() {
        assumeFalse(GStreamerFrameSource.supported(), "this OpenCV build has GStreamer; nothing to refuse");
        assertTrue(GStreamerFrameSource.buildInformation().contains("Video I/O"), "build information was read");
        try (var source = new GStreamerFrameSource("nvarguscamerasrc ! nvvidconv ! video/x-raw,format=BGRx ! "
                + "videoconvert ! video/x-raw,format=BGR ! appsink")) {
            CameraException e = assertThrows(CameraException.class, source::open);
            String m = e.getMessage();
            assertTrue(m.contains("no GStreamer"), m);
            assertTrue(m.contains("camera.type stream") && m.contains("v4l2loopback"), m);
        }
    }
}

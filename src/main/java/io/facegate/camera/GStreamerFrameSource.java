package io.facegate.camera;

import static org.bytedeco.opencv.global.opencv_videoio.CAP_GSTREAMER;

import java.time.Clock;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_videoio.VideoCapture;

/**
 * Frames from a GStreamer pipeline ending in {@code appsink} (for example a Jetson CSI camera through
 * {@code nvarguscamerasrc}), read by OpenCV. This works only with an OpenCV built with GStreamer; the
 * OpenCV that ships with JavaCV is not, so {@link #open()} says so and names the ways around it.
 */
public final class GStreamerFrameSource implements FrameSource {
    private static final Pattern GSTREAMER_YES = Pattern.compile("GStreamer:\\s*YES");

    /** What to do instead; part of the error so that it reaches the operator's log. */
    static final String ALTERNATIVES = "use camera.type stream with an RTSP address served from the pipeline "
            + "(e.g. mediamtx or gst-rtsp-server: nvarguscamerasrc ! nvvidconv ! x264enc/nvv4l2h264enc ! rtph264pay), "
            + "or write the pipeline into a v4l2loopback device (sudo modprobe v4l2loopback video_nr=10; "
            + "gst-launch-1.0 nvarguscamerasrc ! nvvidconv ! video/x-raw,format=YUY2 ! v4l2sink device=/dev/video10) "
            + "and use camera.type v4l2 with camera.device /dev/video10 and camera.pixel_format yuyv";

    private final String pipeline;
    private final Clock clock = Clock.systemUTC();
    private VideoCapture capture;
    private long maxPixels = Long.MAX_VALUE;
    private long sequence;

    public GStreamerFrameSource(String pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    /** vision.max_image_pixels: a pipeline whose frames are larger is refused at open. */
    public GStreamerFrameSource limitPixels(long max) {
        this.maxPixels = max;
        return this;
    }

    /** Whether the OpenCV on the class path can read GStreamer pipelines. */
    public static boolean supported() {
        return GSTREAMER_YES.matcher(buildInformation()).find();
    }

    static String buildInformation() {
        try (var info = opencv_core.getBuildInformation()) {
            return info.getString();
        }
    }

    @Override
    public void open() throws CameraException {
        close();
        if (!supported()) {
            throw new CameraException("camera.type gstreamer: the OpenCV in use (JavaCV's build) has no GStreamer "
                    + "support (getBuildInformation() lacks 'GStreamer: YES'), so pipelines such as "
                    + "nvarguscamerasrc cannot be opened directly; " + ALTERNATIVES);
        }
        VideoCapture c = new VideoCapture(pipeline, CAP_GSTREAMER);
        if (!c.isOpened()) {
            c.close();
            throw new CameraException("cannot open GStreamer pipeline (check that it ends in appsink and runs "
                    + "with gst-launch-1.0): " + pipeline);
        }
        long w = (long) c.get(org.bytedeco.opencv.global.opencv_videoio.CAP_PROP_FRAME_WIDTH);
        long h = (long) c.get(org.bytedeco.opencv.global.opencv_videoio.CAP_PROP_FRAME_HEIGHT);
        if (w * h > maxPixels) {
            c.release();
            c.close();
            throw new CameraException("GStreamer pipeline delivers frames of " + w + "x" + h + " pixels, more than "
                    + "vision.max_image_pixels (" + maxPixels + ")");
        }
        capture = c;
    }

    @Override
    public CameraFrame grab() throws CameraException {
        if (capture == null) {
            throw new IllegalStateException("grab() before open() on " + describe());
        }
        Mat mat = new Mat();
        if (!capture.read(mat) || mat.empty()) {
            mat.close();
            return null; // OpenCV does not tell a failed read from the end of the stream
        }
        return new CameraFrame(mat, clock.instant(), System.nanoTime(), sequence++);
    }

    @Override
    public void close() {
        if (capture != null) {
            capture.release();
            capture.close();
            capture = null;
        }
    }

    @Override
    public String describe() {
        return "GStreamer pipeline";
    }
}

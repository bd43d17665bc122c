package io.facegate.camera;

import io.facegate.config.CameraConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/** Builds the frame source that a {@link CameraConfig} describes. */
public final class FrameSources {
    private FrameSources() {
    }

    /** A new, unopened source for {@code config} with the default pixel limit. */
    public static FrameSource create(CameraConfig config) {
        return create(config, DEFAULT_MAX_PIXELS);
    }

    /**
     * A new, unopened source for {@code config}; it fails on its own when the camera is lost, and refuses frames
     * of more than {@code maxPixels} (vision.max_image_pixels) before decoding them.
     */
    public static FrameSource create(CameraConfig config, long maxPixels) {
        return switch (config.type()) {
            case V4L2 -> FFmpegFrameSource.v4l2(config.device(), config.width(), config.height(), config.fps(),
                    config.pixelFormat()).limitPixels(maxPixels);
            case STREAM -> FFmpegFrameSource.stream(config.url(), config.openTimeoutMs(), config.readTimeoutMs())
                    .limitPixels(maxPixels);
            case FILE -> FFmpegFrameSource.file(Path.of(config.path()), config.loop(), config.realtime())
                    .limitPixels(maxPixels);
            case FOLDER -> new ImageFolderFrameSource(Path.of(config.path()), config.fps(), config.loop(),
                    config.realtime(), maxPixels);
            case GSTREAMER -> new GStreamerFrameSource(config.pipeline()).limitPixels(maxPixels);
        };
    }

    /** The daemon's camera: reopened with the configured backoff whenever it is lost. */
    public static ResilientFrameSource resilient(CameraConfig config, long maxPixels, CameraListener listener) {
        Supplier<FrameSource> factory = () -> create(config, maxPixels);
        return new ResilientFrameSource(create(config, maxPixels).describe(), factory, listener, backoff(config),
                null);
    }

    /** As {@link #resilient(CameraConfig, long, CameraListener)} with the default pixel limit (tests). */
    public static ResilientFrameSource resilient(CameraConfig config, CameraListener listener) {
        return resilient(config, listener, null);
    }

    /** With the default pixel limit and a chosen way to wait (tests). */
    public static ResilientFrameSource resilient(CameraConfig config, CameraListener listener, Sleeper sleeper) {
        Supplier<FrameSource> factory = () -> create(config);
        return new ResilientFrameSource(create(config).describe(), factory, listener, backoff(config), sleeper);
    }

    private static final long DEFAULT_MAX_PIXELS = io.facegate.config.VisionConfig.defaults().maxImagePixels();

    public static Backoff backoff(CameraConfig config) {
        return new Backoff(Duration.ofMillis(config.reconnectInitialMs()), Duration.ofMillis(config.reconnectMaxMs()),
                config.reconnectMultiplier());
    }
}

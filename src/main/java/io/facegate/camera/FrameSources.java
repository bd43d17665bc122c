package io.facegate.camera;

import io.facegate.config.CameraConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/** Builds the frame source that a {@link CameraConfig} describes. */
public final class FrameSources {
    private FrameSources() {
    }

    /** A new, unopened source for {@code config}; it fails on its own when the camera is lost. */
    public static FrameSource create(CameraConfig config) {
        return switch (config.type()) {
            case V4L2 -> FFmpegFrameSource.v4l2(config.device(), config.width(), config.height(), config.fps(),
                    config.pixelFormat());
            case STREAM -> FFmpegFrameSource.stream(config.url(), config.openTimeoutMs(), config.readTimeoutMs());
            case FILE -> FFmpegFrameSource.file(Path.of(config.path()), config.loop(), config.realtime());
            case FOLDER -> new ImageFolderFrameSource(Path.of(config.path()), config.fps(), config.loop(),
                    config.realtime());
            case GSTREAMER -> new GStreamerFrameSource(config.pipeline());
        };
    }

    /** The daemon's camera: reopened with the configured backoff whenever it is lost. */
    public static ResilientFrameSource resilient(CameraConfig config, CameraListener listener) {
        return resilient(config, listener, null);
    }

    /** As {@link #resilient(CameraConfig, CameraListener)} with a chosen way to wait (tests). */
    public static ResilientFrameSource resilient(CameraConfig config, CameraListener listener, Sleeper sleeper) {
        Supplier<FrameSource> factory = () -> create(config);
        return new ResilientFrameSource(create(config).describe(), factory, listener, backoff(config), sleeper);
    }

    public static Backoff backoff(CameraConfig config) {
        return new Backoff(Duration.ofMillis(config.reconnectInitialMs()), Duration.ofMillis(config.reconnectMaxMs()),
                config.reconnectMultiplier());
    }
}

package io.facegate.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * YAML section {@code camera}: where frames come from and how a lost camera is brought back.
 *
 * @param type                 which kind of source: v4l2, stream, file, folder or gstreamer
 * @param device               V4L2 device node (type v4l2)
 * @param url                  rtsp://, http:// or https:// address (type stream)
 * @param path                 video file (type file) or folder of images (type folder)
 * @param pipeline             GStreamer pipeline ending in appsink (type gstreamer; needs an OpenCV built with it)
 * @param width                requested frame width in pixels (v4l2; also the nominal size for the others)
 * @param height               requested frame height in pixels
 * @param fps                  requested frame rate (v4l2), playback rate (folder; file when realtime)
 * @param pixelFormat          what the V4L2 camera sends: mjpeg (less USB bandwidth) or yuyv (no decoding cost)
 * @param loop                 replay a file or folder from the start when it ends instead of reporting it lost
 * @param realtime             pace file and folder playback at {@code fps}; false plays as fast as it is read
 * @param openTimeoutMs        how long opening a stream may block
 * @param readTimeoutMs        how long a stream may deliver nothing before it counts as lost
 * @param reconnectInitialMs   first wait before reopening a lost camera
 * @param reconnectMaxMs       longest wait between two reopening attempts
 * @param reconnectMultiplier  growth of the wait after each failed attempt
 */
public record CameraConfig(SourceType type, String device, String url, String path, String pipeline,
                           Integer width, Integer height, Double fps, PixelFormat pixelFormat,
                           Boolean loop, Boolean realtime, Integer openTimeoutMs, Integer readTimeoutMs,
                           Integer reconnectInitialMs, Integer reconnectMaxMs, Double reconnectMultiplier) {

    /** Kinds of frame source. */
    public enum SourceType {
        @JsonProperty("v4l2") V4L2,
        @JsonProperty("stream") STREAM,
        @JsonProperty("file") FILE,
        @JsonProperty("folder") FOLDER,
        @JsonProperty("gstreamer") GSTREAMER
    }

    /** What a V4L2 camera is asked to send; the names are FFmpeg's {@code input_format} values. */
    public enum PixelFormat {
        @JsonProperty("mjpeg") MJPEG("mjpeg"),
        @JsonProperty("yuyv") YUYV("yuyv422");

        private final String ffmpegName;

        PixelFormat(String ffmpegName) {
            this.ffmpegName = ffmpegName;
        }

        public String ffmpegName() {
            return ffmpegName;
        }
    }

    public CameraConfig {
        if (type == null) type = SourceType.V4L2;
        if (device == null) device = "/dev/video0";
        if (width == null) width = 640;
        if (height == null) height = 480;
        if (fps == null) fps = 15.0;
        if (pixelFormat == null) pixelFormat = PixelFormat.MJPEG;
        if (loop == null) loop = false;
        if (realtime == null) realtime = true;
        if (openTimeoutMs == null) openTimeoutMs = 10_000;
        if (readTimeoutMs == null) readTimeoutMs = 5_000;
        if (reconnectInitialMs == null) reconnectInitialMs = 500;
        if (reconnectMaxMs == null) reconnectMaxMs = 30_000;
        if (reconnectMultiplier == null) reconnectMultiplier = 2.0;

        ConfigException.require(width > 0 && width <= 8192, "camera.width", "must be between 1 and 8192");
        ConfigException.require(height > 0 && height <= 8192, "camera.height", "must be between 1 and 8192");
        ConfigException.require(fps > 0 && fps <= 240, "camera.fps", "must be > 0 and <= 240");
        ConfigException.require(openTimeoutMs > 0, "camera.open_timeout_ms", "must be > 0");
        ConfigException.require(readTimeoutMs > 0, "camera.read_timeout_ms", "must be > 0");
        ConfigException.require(reconnectInitialMs > 0, "camera.reconnect_initial_ms", "must be > 0");
        ConfigException.require(reconnectMaxMs >= reconnectInitialMs, "camera.reconnect_max_ms",
                "must be >= camera.reconnect_initial_ms");
        ConfigException.require(reconnectMultiplier >= 1.0, "camera.reconnect_multiplier", "must be >= 1.0");
        switch (type) {
            case V4L2 -> ConfigException.require(!device.isBlank(), "camera.device", "must name a device such as /dev/video0");
            case STREAM -> {
                ConfigException.require(url != null && !url.isBlank(), "camera.url", "is required when camera.type is stream");
                ConfigException.require(url.matches("(?i)(rtsp|rtsps|http|https)://.+"), "camera.url",
                        "must start with rtsp://, rtsps://, http:// or https://");
            }
            case FILE, FOLDER -> ConfigException.require(path != null && !path.isBlank(), "camera.path",
                    "is required when camera.type is " + type.name().toLowerCase());
            case GSTREAMER -> ConfigException.require(pipeline != null && !pipeline.isBlank(), "camera.pipeline",
                    "is required when camera.type is gstreamer");
        }
    }

    /** A USB camera at /dev/video0, 640x480 MJPEG at 15 fps. */
    public static CameraConfig defaults() {
        return new CameraConfig(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    public static CameraConfig folder(String path, double fps, boolean loop, boolean realtime) {
        return new CameraConfig(SourceType.FOLDER, null, null, path, null, null, null, fps, null, loop, realtime,
                null, null, null, null, null);
    }

    public static CameraConfig file(String path, boolean loop, boolean realtime) {
        return new CameraConfig(SourceType.FILE, null, null, path, null, null, null, null, null, loop, realtime,
                null, null, null, null, null);
    }

    public static CameraConfig stream(String url) {
        return new CameraConfig(SourceType.STREAM, null, url, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    /** The same configuration with other reconnection timings (tests and the demo use short ones). */
    public CameraConfig withReconnect(int initialMs, int maxMs, double multiplier) {
        return new CameraConfig(type, device, url, path, pipeline, width, height, fps, pixelFormat, loop, realtime,
                openTimeoutMs, readTimeoutMs, initialMs, maxMs, multiplier);
    }
}

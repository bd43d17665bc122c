package io.facegate.camera;

import io.facegate.config.CameraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Frames decoded by FFmpeg (through JavaCV): a V4L2 camera, an RTSP/HTTP stream or a video file.
 * Each grabbed image is copied out of the grabber's reused buffer, so a {@link CameraFrame} stays valid
 * after the next grab. Not thread-safe (neither is the grabber).
 */
public final class FFmpegFrameSource implements FrameSource {
    private final String input;
    private final Path localFile;
    private final String description;
    private final Consumer<FFmpegFrameGrabber> setup;
    private final boolean loop;
    private final boolean realtime;
    private final Sleeper sleeper;
    private final Clock clock;
    private final LongSupplier nanoClock;

    /** vision.max_image_pixels: a source whose frames are larger is refused at open, before the first frame. */
    private long maxPixels = Long.MAX_VALUE;
    private FFmpegFrameGrabber grabber;
    private OpenCVFrameConverter.ToMat converter;
    private Pacer pacer;
    private long sequence;

    FFmpegFrameSource(String input, Path localFile, String description, Consumer<FFmpegFrameGrabber> setup,
                      boolean loop, boolean realtime, Sleeper sleeper, Clock clock, LongSupplier nanoClock) {
        this.input = Objects.requireNonNull(input, "input");
        this.localFile = localFile;
        this.description = description;
        this.setup = setup;
        this.loop = loop;
        this.realtime = realtime;
        this.sleeper = sleeper;
        this.clock = clock;
        this.nanoClock = nanoClock;
    }

    /**
     * A V4L2 camera. MJPEG lets a USB 2 camera deliver 640x480 or more at full rate (decoding costs a little
     * CPU); YUYV needs no decoding but far more USB bandwidth.
     */
    public static FFmpegFrameSource v4l2(String device, int width, int height, double fps,
                                         CameraConfig.PixelFormat pixelFormat) {
        return new FFmpegFrameSource(device, null, "V4L2 camera " + device, g -> {
            g.setFormat("video4linux2");
            g.setImageWidth(width);     // becomes the v4l2 video_size request and the output size
            g.setImageHeight(height);
            g.setFrameRate(fps);        // becomes the v4l2 framerate request
            g.setOption("input_format", pixelFormat.ffmpegName());
        }, false, false, Sleeper.REAL, Clock.systemUTC(), System::nanoTime);
    }

    /**
     * An RTSP, RTSPS, HTTP or HTTPS stream. RTSP goes over TCP: over Wi-Fi, UDP loses packets and the
     * images smear. The timeouts make a dead server end the stream (a lost camera) instead of blocking
     * forever; FFmpeg has no common option for this, so the protocol-specific ones are set.
     */
    public static FFmpegFrameSource stream(String url, int openTimeoutMs, int readTimeoutMs) {
        boolean rtsp = url.toLowerCase(Locale.ROOT).startsWith("rtsp");
        return new FFmpegFrameSource(url, null, "stream " + redact(url), g -> {
            String readUs = Long.toString(readTimeoutMs * 1000L);
            if (rtsp) {
                g.setOption("rtsp_transport", "tcp");
                g.setOption("timeout", Long.toString(Math.max(openTimeoutMs, readTimeoutMs) * 1000L)); // socket I/O, µs
            } else {
                g.setOption("timeout", Long.toString(openTimeoutMs * 1000L)); // http: connect and socket, µs
            }
            g.setOption("rw_timeout", readUs);    // any protocol: one read or write, µs
            g.setOption("fflags", "nobuffer");    // a door needs the newest image, not a smooth one
        }, false, false, Sleeper.REAL, Clock.systemUTC(), System::nanoTime);
    }

    /**
     * A video file.
     *
     * @param loop     start over at the end instead of ending the stream
     * @param realtime deliver frames at the file's own frame rate, like a camera; false reads as fast as decoding goes
     */
    public static FFmpegFrameSource file(Path path, boolean loop, boolean realtime) {
        return file(path, loop, realtime, Sleeper.REAL, System::nanoTime);
    }

    static FFmpegFrameSource file(Path path, boolean loop, boolean realtime, Sleeper sleeper, LongSupplier nanoClock) {
        return new FFmpegFrameSource(path.toString(), path, "video file " + path, g -> { }, loop, realtime, sleeper,
                Clock.systemUTC(), nanoClock);
    }

    /**
     * FFmpeg decodes a frame while it probes a file: an image file (FFmpeg plays those too) is checked on its header
     * before that, so that a small file declaring a huge size never gets decoded.
     */
    private void refuseOversizedImageFile() throws CameraException {
        if (localFile == null || maxPixels == Long.MAX_VALUE) {
            return;
        }
        java.util.Optional<long[]> size;
        try {
            size = io.facegate.image.Images.declaredSize(localFile, 1 << 20);
        } catch (java.io.IOException e) {
            throw new CameraException("cannot read " + description + ": " + e.getMessage(), e);
        }
        if (size.isPresent() && size.get()[0] * size.get()[1] > maxPixels) {
            throw new CameraException(description + " is an image of " + size.get()[0] + "x" + size.get()[1]
                    + " pixels, more than vision.max_image_pixels (" + maxPixels + ")");
        }
    }

    /** Refuses (at open) a source whose frames have more than {@code max} pixels. */
    public FFmpegFrameSource limitPixels(long max) {
        this.maxPixels = max;
        return this;
    }

    @Override
    public void open() throws CameraException {
        close();
        if (localFile != null && !Files.isReadable(localFile)) {
            throw new CameraException(description + " does not exist or is not readable");
        }
        refuseOversizedImageFile();
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(input);
        try {
            setup.accept(g);
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            releaseQuietly(g);
            throw new CameraException("cannot open " + description + ": " + redact(String.valueOf(e.getMessage())), e);
        }
        long w = g.getImageWidth();
        long h = g.getImageHeight();
        if (w * h > maxPixels) {
            releaseQuietly(g);
            throw new CameraException(description + " delivers frames of " + w + "x" + h + " pixels, more than "
                    + "vision.max_image_pixels (" + maxPixels + ")");
        }
        grabber = g;
        converter = new OpenCVFrameConverter.ToMat();
        double rate = g.getVideoFrameRate() > 0 ? g.getVideoFrameRate() : g.getFrameRate();
        pacer = new Pacer(realtime ? rate : 0, sleeper, nanoClock);
    }

    @Override
    public CameraFrame grab() throws CameraException {
        if (grabber == null) {
            throw new IllegalStateException("grab() before open() on " + description);
        }
        try {
            Frame frame = grabber.grabImage();
            if (frame == null && loop) {
                grabber.restart();
                frame = grabber.grabImage();
            }
            if (frame == null) {
                return null;
            }
            pacer.await();
            // The converter's Mat wraps the grabber's buffer, which the next grab overwrites: copy it out.
            Mat view = converter.convert(frame);
            if (view == null || view.empty()) {
                throw new CameraException(description + " delivered an image that cannot be converted");
            }
            return new CameraFrame(view.clone(), clock.instant(), nanoClock.getAsLong(), sequence++);
        } catch (FrameGrabber.Exception e) {
            throw new CameraException("cannot read " + description + ": " + redact(String.valueOf(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CameraException("interrupted while reading " + description, e);
        }
    }

    @Override
    public void close() {
        if (converter != null) {
            converter.close();
            converter = null;
        }
        if (grabber != null) {
            releaseQuietly(grabber);
            grabber = null;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    private static void releaseQuietly(FFmpegFrameGrabber g) {
        try {
            g.close(); // stop() + release(): frees the format and codec contexts
        } catch (FrameGrabber.Exception | RuntimeException ignored) {
            // closing a broken grabber fails in many ways; the native memory is freed either way
        }
    }

    /** Hides the password of {@code rtsp://user:password@host/...} in logs and events. */
    static String redact(String text) {
        return text.replaceAll("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]*@", "$1***@");
    }
}

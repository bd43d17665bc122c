package io.facegate.camera;

import io.facegate.config.VisionConfig;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Plays the images of a folder (and its subfolders) as camera frames, in order of their path, at a fixed
 * rate: a camera for tests, demos and benchmarks that needs no hardware. The folder is listed at
 * {@link #open()}; an image that disappears afterwards is a read error, like an unplugged camera.
 */
public final class ImageFolderFrameSource implements FrameSource {
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "pgm", "ppm");

    private final Path folder;
    private final boolean loop;
    private final Pacer pacer;
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final long maxPixels;
    private List<Path> images = List.of();
    private int next;
    private long sequence;
    private boolean opened;

    /**
     * @param fps   frames per second when {@code realtime}
     * @param loop  start again from the first image after the last one instead of ending
     */
    public ImageFolderFrameSource(Path folder, double fps, boolean loop, boolean realtime) {
        this(folder, fps, loop, realtime, VisionConfig.defaults().maxImagePixels());
    }

    /** @param maxPixels images whose header declares more pixels are refused before decoding */
    public ImageFolderFrameSource(Path folder, double fps, boolean loop, boolean realtime, long maxPixels) {
        this(folder, fps, loop, realtime, Sleeper.REAL, Clock.systemUTC(), System::nanoTime, maxPixels);
    }

    ImageFolderFrameSource(Path folder, double fps, boolean loop, boolean realtime, Sleeper sleeper, Clock clock,
                           LongSupplier nanoClock) {
        this(folder, fps, loop, realtime, sleeper, clock, nanoClock, VisionConfig.defaults().maxImagePixels());
    }

    private ImageFolderFrameSource(Path folder, double fps, boolean loop, boolean realtime, Sleeper sleeper,
                                   Clock clock, LongSupplier nanoClock, long maxPixels) {
        this.maxPixels = maxPixels;
        this.folder = Objects.requireNonNull(folder, "folder");
        this.loop = loop;
        this.pacer = new Pacer(realtime ? fps : 0, sleeper, nanoClock);
        this.clock = clock;
        this.nanoClock = nanoClock;
    }

    @Override
    public void open() throws CameraException {
        if (!Files.isDirectory(folder)) {
            throw new CameraException("image folder " + folder + " does not exist or is not a directory");
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            images = walk.filter(Files::isRegularFile)
                    .filter(ImageFolderFrameSource::isImage)
                    .sorted((a, b) -> folder.relativize(a).toString().compareTo(folder.relativize(b).toString()))
                    .collect(Collectors.toUnmodifiableList());
        } catch (IOException | UncheckedIOException e) {
            throw new CameraException("cannot list image folder " + folder + ": " + e.getMessage(), e);
        }
        if (images.isEmpty()) {
            throw new CameraException("image folder " + folder + " holds no images (" + String.join(", ", EXTENSIONS) + ")");
        }
        next = 0;
        opened = true;
    }

    @Override
    public CameraFrame grab() throws CameraException {
        if (!opened) {
            throw new IllegalStateException("grab() before open() on " + describe());
        }
        if (next >= images.size()) {
            if (!loop) {
                return null;
            }
            next = 0;
        }
        Path image = images.get(next++);
        try {
            pacer.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CameraException("interrupted while waiting for the next frame of " + describe(), e);
        }
        Mat mat;
        try {
            // the header's size is checked against vision.max_image_pixels before any pixel is decoded
            mat = Images.read(image, maxPixels);
        } catch (ImageException e) {
            throw new CameraException("cannot play image " + image + ": " + e.getMessage(), e);
        }
        return new CameraFrame(mat, clock.instant(), nanoClock.getAsLong(), sequence++);
    }

    /** How many images {@link #open()} found. */
    public int imageCount() {
        return images.size();
    }

    @Override
    public void close() {
        opened = false;
        images = List.of();
    }

    @Override
    public String describe() {
        return "image folder " + folder;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}

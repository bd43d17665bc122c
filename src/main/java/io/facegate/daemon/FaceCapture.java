package io.facegate.daemon;

import io.facegate.mqtt.CommandResult;
import io.facegate.mqtt.DeviceActions;
import io.facegate.vision.BoundingBox;
import io.facegate.vision.LivenessEstimator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/**
 * Saves face crops for liveness calibration ({@code facegate calibrate liveness --live DIR}) while an admin's signed
 * {@code capture_faces} command runs, and deletes them on {@code delete_capture}. Only crops (the liveness model's
 * context region of each face), only under {@code access.capture_dir}, in a folder the admin names (a plain name,
 * never a path), for at most {@link DeviceActions#CAPTURE_MAX_SECONDS} and {@link #MAX_CROPS} crops; without a
 * capture folder configured every capture is refused. Crops are never logged or sent anywhere.
 *
 * <p>Thread-safe: the pipeline thread offers faces, the MQTT thread starts and deletes; a crop is written under
 * the lock, so a deletion never races a write into the folder it deletes.
 */
public final class FaceCapture {
    private static final Logger log = LoggerFactory.getLogger(FaceCapture.class);
    /** Most crops one capture saves (about 10 faces a second for 5 minutes). */
    static final int MAX_CROPS = 3000;
    private static final Pattern CROP = Pattern.compile("crop-\\d+-\\d+\\.png");

    private final Path root;
    private final Clock clock;
    private volatile boolean active;
    // guarded by this
    private Path folder;
    private String name;
    private Instant until;
    private int saved;
    private long sequence;

    /** @param root {@code access.capture_dir}; null refuses every capture */
    public FaceCapture(Path root, Clock clock) {
        this.root = root == null ? null : root.toAbsolutePath().normalize();
        this.clock = clock;
    }

    public static FaceCapture disabled() {
        return new FaceCapture(null, Clock.systemUTC());
    }

    /** Starts saving crops into {@code name} for {@code duration}; another capture running is refused. */
    public synchronized CommandResult start(String name, Duration duration, String by) {
        if (root == null) {
            return CommandResult.error("capture_disabled", "no access.capture_dir in the door's configuration:"
                    + " captures are refused");
        }
        Path dir = resolve(name);
        if (dir == null) {
            return CommandResult.error("bad_request", "capture folder must be a plain name");
        }
        if (duration.isNegative() || duration.isZero()
                || duration.compareTo(Duration.ofSeconds(DeviceActions.CAPTURE_MAX_SECONDS)) > 0) {
            return CommandResult.error("bad_request", "capture lasts 1.." + DeviceActions.CAPTURE_MAX_SECONDS
                    + " seconds");
        }
        stopIfOver();
        if (active) {
            return CommandResult.error("busy", "a capture into '" + this.name + "' runs until " + until);
        }
        try {
            createPrivate(root);
            createPrivate(dir);
        } catch (IOException | RuntimeException e) {
            return CommandResult.error("not_stored", "cannot create " + dir + ": " + e.getMessage());
        }
        this.folder = dir;
        this.name = name;
        this.until = clock.instant().plus(duration);
        this.saved = 0;
        this.active = true;
        log.info("capture into {} for {} s started by {}", dir, duration.toSeconds(), by);
        return CommandResult.ok("capturing face crops into " + dir + " for " + duration.toSeconds() + " s",
                Map.of("folder", dir.toString(), "until", until.toString()));
    }

    /** Stops a capture into {@code name} and deletes the crops it holds, then the folder when nothing else is in it. */
    public synchronized CommandResult delete(String name, String by) {
        if (root == null) {
            return CommandResult.error("capture_disabled", "no access.capture_dir in the door's configuration");
        }
        Path dir = resolve(name);
        if (dir == null) {
            return CommandResult.error("bad_request", "capture folder must be a plain name");
        }
        if (active && dir.equals(folder)) {
            stop("deleted");
        }
        if (!Files.isDirectory(dir)) {
            return CommandResult.ok("no capture folder " + name + " (nothing to delete)", Map.of("deleted", 0));
        }
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f) && CROP.matcher(f.getFileName().toString()).matches()) {
                    Files.delete(f);
                    deleted++;
                }
            }
        } catch (IOException e) {
            log.warn("capture folder {}: deleting failed after {} crop(s): {}", dir, deleted, e.toString());
            return CommandResult.error("not_deleted", "deleted " + deleted + " crop(s) of " + dir + ", then: "
                    + e.getMessage());
        }
        try {
            Files.delete(dir);
        } catch (IOException e) {
            log.warn("capture folder {}: {} crop(s) deleted; the folder holds other files and stays", dir, deleted);
            return CommandResult.ok(deleted + " crop(s) deleted; " + dir + " holds other files and stays",
                    Map.of("deleted", deleted));
        }
        log.info("capture folder {}: {} crop(s) deleted by {}", dir, deleted, by);
        return CommandResult.ok(deleted + " crop(s) deleted with " + dir, Map.of("deleted", deleted));
    }

    /** Saves the face's crop when a capture runs; never throws (a failing disk stops the capture, not the door). */
    public void offer(Mat bgr, BoundingBox box) {
        if (!active) {
            return;
        }
        synchronized (this) {
            if (!stopIfOver()) {
                return;
            }
            Path file = folder.resolve("crop-" + clock.millis() + "-" + (sequence++) + ".png");
            try (Mat crop = LivenessEstimator.contextCrop(bgr, box)) {
                if (!imwrite(file.toString(), crop)) {
                    throw new IOException("the image could not be written");
                }
                saved++;
            } catch (IOException | RuntimeException e) {
                log.warn("capture into {} stopped: {}: {}", folder, file.getFileName(), e.getMessage());
                stop("failed");
                return;
            }
            if (saved >= MAX_CROPS) {
                stop("full (" + MAX_CROPS + " crops)");
            }
        }
    }

    public boolean active() {
        return active;
    }

    /** Whether the capture still runs; ends it when its time is over. */
    private boolean stopIfOver() {
        if (active && !clock.instant().isBefore(until)) {
            stop("time over");
        }
        return active;
    }

    private void stop(String why) {
        log.info("capture into {} ended ({}): {} crop(s)", folder, why, saved);
        active = false;
        folder = null;
        name = null;
        until = null;
    }

    /** The folder {@code name} under the root, or null when the name is not a plain folder name. */
    private Path resolve(String name) {
        if (name == null || !DeviceActions.CAPTURE_FOLDER.matcher(name).matches()) {
            return null;
        }
        Path dir = root.resolve(name).normalize();
        return dir.getParent().equals(root) ? dir : null;
    }

    private static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        }
    }
}

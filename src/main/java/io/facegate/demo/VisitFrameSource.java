package io.facegate.demo;

import io.facegate.camera.CameraException;
import io.facegate.camera.CameraFrame;
import io.facegate.camera.FrameSource;
import io.facegate.camera.Pacer;
import io.facegate.camera.Sleeper;
import io.facegate.vision.BoundingBox;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT_101;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

/**
 * A camera made of photos, for the demo and the pipeline benchmark: each visit is one photo shown for several
 * frames as a person walking up to the door would be (the face grows from far to near, with a little sway), then a
 * few empty frames while nobody is there.
 */
public final class VisitFrameSource implements FrameSource {

    /** One person walking up: a photo and where their face is in it. Labels are for reports only. */
    public record Visit(String label, Mat photo, BoundingBox face) {
        public Visit {
            Objects.requireNonNull(photo, "photo");
            Objects.requireNonNull(face, "face");
        }
    }

    /** Told when a visit's first frame is produced, with that frame's {@link System#nanoTime()}. */
    public interface VisitListener {
        void onVisitStart(int index, Visit visit, long firstFrameNanos);
    }

    private final List<Visit> visits;
    /** Each visit's photo pre-shrunk (area interpolation) to about the size it is shown at, so that no frame is
     *  an aliased, heavily downsampled image: aliasing is what liveness models take for a screen or a print. */
    private final List<Visit> prepared = new java.util.ArrayList<>();
    private final int width;
    private final int height;
    private final int framesPerVisit;
    private final int emptyFrames;
    private final Pacer pacer;
    private final VisitListener listener;
    private final boolean loop;
    private long sequence;
    private int visitIndex;
    private int frameInVisit;
    private boolean open;

    /**
     * @param fps frames per second to pace at, or 0 for as fast as the consumer takes them
     */
    public VisitFrameSource(List<Visit> visits, int width, int height, int framesPerVisit, int emptyFrames,
                            double fps, boolean loop, VisitListener listener) {
        if (visits.isEmpty()) {
            throw new IllegalArgumentException("no visits to play");
        }
        this.visits = List.copyOf(visits);
        this.width = width;
        this.height = height;
        this.framesPerVisit = framesPerVisit;
        this.emptyFrames = emptyFrames;
        this.pacer = fps > 0 ? new Pacer(fps, Sleeper.REAL, System::nanoTime) : null;
        this.loop = loop;
        this.listener = listener == null ? (i, v, t) -> { } : listener;
    }

    @Override
    public void open() {
        if (prepared.isEmpty()) {
            double nearFace = width * 0.33;
            for (Visit v : visits) {
                double scale = nearFace / Math.max(1, v.face().width());
                if (scale >= 1) {
                    prepared.add(new Visit(v.label(), v.photo().clone(), v.face()));
                    continue;
                }
                Mat small = new Mat();
                try (Size size = new Size((int) Math.round(v.photo().cols() * scale),
                        (int) Math.round(v.photo().rows() * scale))) {
                    resize(v.photo(), small, size, 0, 0, INTER_AREA);
                }
                BoundingBox b = v.face();
                prepared.add(new Visit(v.label(), small, new BoundingBox((float) (b.x1() * scale),
                        (float) (b.y1() * scale), (float) (b.x2() * scale), (float) (b.y2() * scale))));
            }
        }
        open = true;
    }

    @Override
    public CameraFrame grab() throws CameraException {
        if (!open) {
            throw new CameraException("visit source is not open");
        }
        if (visitIndex >= visits.size()) {
            if (!loop) {
                return null;
            }
            visitIndex = 0;
        }
        if (pacer != null) {
            try {
                pacer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        Mat image;
        long now = System.nanoTime();
        if (frameInVisit < framesPerVisit) {
            if (frameInVisit == 0) {
                listener.onVisitStart(visitIndex, visits.get(visitIndex), now);
            }
            image = render(prepared.get(visitIndex), frameInVisit);
        } else {
            image = new Mat(height, width, CV_8UC3, new Scalar(90, 90, 90, 0));
        }
        if (++frameInVisit >= framesPerVisit + emptyFrames) {
            frameInVisit = 0;
            visitIndex++;
        }
        return new CameraFrame(image, Instant.now(), now, sequence++);
    }

    /** The photo scaled so the face grows from about a fifth to a third of the frame width, centred with sway. */
    private Mat render(Visit v, int frame) {
        double progress = framesPerVisit <= 1 ? 1 : frame / (double) (framesPerVisit - 1);
        double faceWidth = width * (0.2 + 0.13 * progress);
        double scale = faceWidth / Math.max(1, v.face().width());
        double sway = Math.sin(frame * 0.9) * width * 0.01;
        double tx = width / 2.0 + sway - scale * v.face().centerX();
        double ty = height * 0.45 - scale * v.face().centerY();
        Mat out = new Mat();
        try (DoublePointer dp = new DoublePointer(scale, 0, tx, 0, scale, ty);
             Mat affine = new Mat(2, 3, CV_64F, dp); Size size = new Size(width, height);
             Scalar grey = new Scalar(90, 90, 90, 0)) {
            // mirrored edges rather than a flat border: the liveness model reads a flat border as the edge of a print
            warpAffine(v.photo(), out, affine, size, INTER_LINEAR, BORDER_REFLECT_101, grey);
        }
        return out;
    }

    /** Frames this source will produce in one pass. */
    public int framesPerPass() {
        return visits.size() * (framesPerVisit + emptyFrames);
    }

    @Override
    public void close() {
        open = false;
        prepared.forEach(v -> v.photo().close());
        prepared.clear();
    }

    @Override
    public String describe() {
        return "visits(" + visits.size() + " photos)";
    }
}

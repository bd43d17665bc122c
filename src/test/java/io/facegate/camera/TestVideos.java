package io.facegate.camera;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** Writes small real videos for tests: real photos resized to one size, one photo per frame. */
final class TestVideos {
    static final int WIDTH = 320;
    static final int HEIGHT = 240;

    private TestVideos() {
    }

    /** The photos resized to {@link #WIDTH}x{@link #HEIGHT}: what each video frame shows. The caller closes them. */
    static List<Mat> resized(List<Path> photos) {
        List<Mat> out = new ArrayList<>();
        try (Size size = new Size(WIDTH, HEIGHT)) {
            for (Path p : photos) {
                try (Mat m = imread(p.toString())) {
                    Mat r = new Mat();
                    resize(m, r, size);
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** An MJPEG/AVI video at {@code fps} showing {@code images} in order, at high quality. */
    static Path mjpegAvi(List<Mat> images, Path file, double fps) throws Exception {
        try (var recorder = new FFmpegFrameRecorder(file.toString(), WIDTH, HEIGHT, 0);
             var converter = new OpenCVFrameConverter.ToMat()) {
            recorder.setFormat("avi");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_MJPEG);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUVJ420P);
            recorder.setFrameRate(fps);
            recorder.setVideoBitrate(8_000_000); // near lossless, so frames can be compared with the photos
            recorder.start();
            for (Mat m : images) {
                recorder.record(converter.convert(m), avutil.AV_PIX_FMT_BGR24);
            }
            recorder.stop();
        }
        return file;
    }
}

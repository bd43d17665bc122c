package io.facegate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.bench.FaceDataset;
import io.facegate.bench.Progress;
import io.facegate.bench.Rss;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.image.ImageException;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code facegate bench soak}: runs the whole face pipeline over the photos of a dataset again and again and
 * reports how resident memory moves after warm-up. Native memory that is not closed (Mats, tensors) shows up here
 * long before it shows up in the Java heap.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Resident-memory soak: decode, detect, landmarks, align, embed and liveness over N images.")
public final class BenchSoakCommand implements Callable<Integer> {
    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "Folder of <person>/<photo>.")
    Path dataset;

    @Option(names = "--images", defaultValue = "10000", description = "Images to process (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--warmup", defaultValue = "500", description = "Images before the baseline (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--json", description = "Print one JSON object on standard output.")
    boolean json;

    @Mixin
    VisionOptions vision;

    @Override
    public Integer call() throws Exception {
        List<FaceDataset.Photo> photos = FaceDataset.load(dataset).photos();
        long faces = 0;
        double baseline = Double.NaN;
        double peak = 0;
        try (FacePipeline pipeline = vision.open()) {
            Progress progress = new Progress("soak", warmup + images);
            for (int i = 0; i < warmup + images; i++) {
                if (i == warmup) {
                    System.gc();
                    baseline = Rss.megabytes();
                }
                faces += processOne(pipeline, photos.get(i % photos.size()).path());
                if (i >= warmup && i % 100 == 0) {
                    peak = Math.max(peak, Rss.megabytes());
                }
                progress.update(i + 1);
            }
        }
        System.gc();
        double end = Rss.megabytes();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("images", images);
        r.put("warmup_images", warmup);
        r.put("faces_embedded", faces);
        r.put("rss_mb_after_warmup", Math.round(baseline * 10) / 10.0);
        r.put("rss_mb_peak", Math.round(Math.max(peak, end) * 10) / 10.0);
        r.put("rss_mb_end", Math.round(end * 10) / 10.0);
        r.put("rss_growth_mb", Math.round((end - baseline) * 10) / 10.0);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-22s %s%n", k, v));
        }
        return 0;
    }

    private static int processOne(FacePipeline pipeline, Path photo) {
        try (Mat image = Images.readForRecognition(photo, pipeline.config().maxImagePixels(), BenchVerifyCommand.RECOGNITION_SHORT_SIDE)) {
            int n = 0;
            for (DetectedFace face : pipeline.detect(image)) {
                pipeline.embed(image, face);
                pipeline.liveness(image, face);
                n++;
            }
            return n;
        } catch (ImageException e) {
            return 0;
        }
    }
}

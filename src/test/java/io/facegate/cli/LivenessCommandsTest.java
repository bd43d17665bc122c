package io.facegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facegate.TestData;
import io.facegate.bench.FaceDataset;
import io.facegate.bench.FaceProbe;
import io.facegate.bench.SyntheticAttacks;
import io.facegate.config.ConfigLoader;
import io.facegate.config.VisionConfig;
import io.facegate.vision.DetectedFace;
import io.facegate.vision.FacePipeline;
import io.facegate.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench liveness} and {@code calibrate liveness} on real photos (live) and SYNTHETIC re-photographed ones
 * (spoof), against an independent scoring of the same images with the models.
 */
class LivenessCommandsTest {
    @TempDir
    static Path dir;
    static Path dataset;
    static Path models;
    /** Live probabilities scored here, one by one, of the dataset's live and spoof images with a face. */
    static List<Double> live = new ArrayList<>();
    static List<Double> spoof = new ArrayList<>();
    static FacePipeline pipeline;

    @BeforeAll
    static void makeDataset() throws Exception {
        models = TestData.models();
        List<FaceDataset.Photo> photos = FaceDataset.load(TestData.faces("deepface")).photos();
        dataset = dir.resolve("pad");
        Files.createDirectories(dataset.resolve("live/cam"));
        Files.createDirectories(dataset.resolve("spoof/print"));
        pipeline = FacePipeline.open(VisionConfig.defaults().withModelsDir(models));
        Random rnd = new Random(5);
        for (int i = 0; i < 12; i++) {
            Path live1 = dataset.resolve("live/cam/" + i + ".png");
            Path spoof1 = dataset.resolve("spoof/print/" + i + ".png");
            try (Mat m = Images.readForRecognition(photos.get(i * 5).path(), 40_000_000L,
                    FaceProbe.RECOGNITION_SHORT_SIDE);
                 Mat attack = SyntheticAttacks.rephotograph(m, 15, 5, SyntheticAttacks.Look.random(rnd), i)) {
                imwrite(live1.toString(), m);
                imwrite(spoof1.toString(), attack);
            }
            score(live1, live);
            score(spoof1, spoof);
        }
        try (Mat blank = new Mat(480, 640, CV_8UC3, new Scalar(128, 128, 128, 0))) {
            imwrite(dataset.resolve("live/cam/blank.png").toString(), blank); // no face: counted, not scored
        }
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** Scored as an independent reader would: the detector's first (largest) face, its live probability. */
    private static void score(Path image, List<Double> into) throws Exception {
        try (Mat m = Images.read(image, 40_000_000L)) {
            List<DetectedFace> faces = pipeline.detect(m);
            if (!faces.isEmpty()) {
                into.add((double) pipeline.liveness(m, faces.get(0)));
            }
        }
    }

    private static String[] withModels(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--models";
        all[args.length + 1] = models.toString();
        return all;
    }

    /** Runs the CLI; returns exit code and what went to standard output. */
    private static Object[] run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            picocli.CommandLine cmd = Main.commandLine();
            cmd.setErr(new PrintWriter(err, true));
            code = cmd.execute(withModels(args));
        } finally {
            System.setOut(old);
        }
        return new Object[] {code, buf.toString(StandardCharsets.UTF_8), err.toString()};
    }

    private static double rate(List<Double> scores, double t, boolean atOrAbove) {
        return scores.stream().filter(s -> atOrAbove == (s >= t)).count() / (double) scores.size();
    }

    @Test
    void benchLivenessReportsWhatAnIndependentScoringFinds() throws Exception {
        Object[] r = run("bench", "liveness", "--dataset", dataset.toString(), "--json");
        assertEquals(0, r[0], r[2].toString());
        JsonNode j = new ObjectMapper().readTree(r[1].toString());
        for (String key : List.of("live", "spoof", "no_face", "threshold", "apcer", "bpcer", "acer", "auc")) {
            assertTrue(j.has(key), "JSON key " + key + ": " + j);
        }
        assertEquals(live.size(), j.get("live").asInt());
        assertEquals(spoof.size(), j.get("spoof").asInt());
        assertEquals(1 + 12 - live.size(), j.get("no_face").get("live").asInt(), "the blank image is counted");
        assertEquals(0.5, j.get("threshold").asDouble());
        assertEquals(rate(live, 0.5, false), j.get("bpcer").asDouble(), 1e-4);
        assertEquals(rate(spoof, 0.5, true), j.get("apcer").get("print").asDouble(), 1e-4);
        assertEquals(rate(spoof, 0.5, true), j.get("apcer").get("worst").asDouble(), 1e-4);
        assertEquals((rate(spoof, 0.5, true) + rate(live, 0.5, false)) / 2, j.get("acer").asDouble(), 1e-4);
    }

    @Test
    void calibrateLivenessWritesTheThresholdForTheTargetBpcer() throws Exception {
        Path cfg = dir.resolve("facegate.yml");
        String original = "# site config\naccess:\n  liveness_threshold: 0.5   # set by calibrate\n"
                + "  cooldown_ms: 5000\n";
        Files.writeString(cfg, original);
        Object[] r = run("calibrate", "liveness", "--live", dataset.resolve("live").toString(), "--target-bpcer",
                "0.25", "--attacks", dataset.resolve("spoof").toString(), "--config", cfg.toString());
        assertEquals(0, r[0], r[2].toString());
        double[] sorted = live.stream().mapToDouble(d -> d).sorted().toArray();
        double expected = Math.floor(sorted[(int) Math.floor(0.25 * sorted.length)] * 1e4) / 1e4;
        assertEquals(expected, ConfigLoader.load(cfg).access().livenessThreshold(), 1e-9);
        assertTrue(rate(live, expected, false) <= 0.25);
        assertEquals(original, Files.readString(dir.resolve("facegate.yml.bak")));
        assertTrue(Files.readString(cfg).contains("# set by calibrate"), "the comment is kept");
        assertTrue(Files.readString(cfg).contains("cooldown_ms: 5000"));
        assertTrue(r[1].toString().contains("expected APCER"), r[1].toString());
    }

    @Test
    void tooFewLiveFacesWritesNothing() throws Exception {
        Path cfg = dir.resolve("few.yml");
        Files.writeString(cfg, "access:\n  liveness_threshold: 0.5\n");
        Object[] r = run("calibrate", "liveness", "--live", dataset.resolve("live").toString(), "--config",
                cfg.toString()); // 2% needs 50 faces
        assertEquals(2, r[0]);
        assertEquals("access:\n  liveness_threshold: 0.5\n", Files.readString(cfg));
        assertFalse(Files.exists(dir.resolve("few.yml.bak")));
    }

    @Test
    void calibrateWithoutADatasetSaysWhatIsMissing() {
        Object[] r = run("calibrate");
        assertEquals(2, r[0]);
    }
}

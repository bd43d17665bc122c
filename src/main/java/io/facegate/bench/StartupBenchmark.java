package io.facegate.bench;

import io.facegate.config.GalleryConfig;
import io.facegate.gallery.GalleryStore;
import io.facegate.gallery.Person;
import io.facegate.gallery.Template;
import io.facegate.vision.ModelPack;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/**
 * {@code facegate bench startup}: start to READY of the real daemon. A gallery of random templates of the installed
 * feature model is written to a scratch folder; then, per run, a fresh JVM runs {@code facegate run} on it as the
 * systemd unit does (its JVM options, the mock door, an image-folder camera, MQTT off) with {@code NOTIFY_SOCKET}
 * pointing at a stand-in for systemd's socket; the time from starting the JVM to receiving READY=1 there is
 * measured, then the daemon is stopped with SIGTERM and must exit 0. The daemon's own log line gives the gallery
 * load time of each run (in a fresh JVM, as at a real start). The first start after the gallery is written reads
 * its rows and writes the template pack, as the first start after any change does; it is reported apart, and the
 * runs after it (which read the pack) are the measurement.
 */
public final class StartupBenchmark {
    /** The systemd unit's JVM options (systemd/facegate.service), so the child starts as an installed door does. */
    static final List<String> UNIT_JVM_OPTIONS = List.of("--add-modules", "jdk.incubator.vector", "-Xms64m",
            "-Xmx512m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
            "-Dorg.bytedeco.javacpp.maxBytes=512m", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=2g");
    private static final Pattern LOADED = Pattern.compile("templates of model \\S+ loaded in (\\d+) ms \\(\\+(\\d+) ms"
            + " check\\)");
    private static final long READY_TIMEOUT_SECONDS = 300;

    /**
     * @param keep keep the scratch folder (gallery, configuration, each run's log, with timestamps) and say where
     */
    public record Params(int people, int templatesPerPerson, int runs, Path modelsDir, Path workDir, long seed,
                         boolean keep) {
    }

    private StartupBenchmark() {
    }

    public static Map<String, Object> run(Params p, PrintStream log) throws IOException, InterruptedException {
        if (p.people() < 1 || p.templatesPerPerson() < 1 || p.runs() < 1) {
            throw new IllegalArgumentException("--people, --templates-per-person and --runs must be >= 1");
        }
        Path work = Files.createTempDirectory(p.workDir(), "facegate-startup-");
        Process receiver = null;
        try {
            Path data = Files.createDirectories(work.resolve("data"));
            long writeMs = writeGallery(p, GalleryConfig.defaults().withDataDir(data).databaseFile(), log);
            Path config = writeConfig(work, p.modelsDir(), data);
            Path socket = work.resolve("notify.sock");
            Path script = work.resolve("notify_receiver.py");
            try (InputStream in = StartupBenchmark.class.getResourceAsStream("/io/facegate/daemon/notify_receiver.py")) {
                Files.copy(in, script);
            }
            receiver = new ProcessBuilder("python3", script.toString(), socket.toString(), "1000000",
                    Long.toString(READY_TIMEOUT_SECONDS)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader messages = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                    StandardCharsets.UTF_8));
            if (!"bound".equals(messages.readLine())) {
                throw new IllegalStateException("the stand-in notification socket did not start (python3 needed)");
            }
            List<String> command = childCommand(work, p.keep() ? List.of("-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS") : List.of(), config);
            // start 0 is the first after the gallery was written: it reads the rows and writes the template pack,
            // as the first start after any change does; the runs measured after it read the pack
            long[] ready = new long[p.runs() + 1];
            long[] load = new long[p.runs() + 1];
            long[] check = new long[p.runs() + 1];
            for (int i = 0; i <= p.runs(); i++) {
                Path childLog = work.resolve("run-" + i + ".log");
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(childLog.toFile());
                pb.environment().put("NOTIFY_SOCKET", socket.toString());
                long t0 = System.nanoTime();
                Process child = pb.start();
                try {
                    awaitReady(messages, child, childLog);
                    ready[i] = (System.nanoTime() - t0) / 1_000_000;
                } finally {
                    child.destroy(); // SIGTERM: the daemon stops in order
                    if (!child.waitFor(60, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                }
                if (child.exitValue() != 0) {
                    throw new IllegalStateException("facegate run exited " + child.exitValue() + " after SIGTERM: "
                            + tail(childLog));
                }
                long[] lc = loadMillis(childLog);
                load[i] = lc[0];
                check[i] = lc[1];
                log.printf("%s: READY after %d ms (gallery load %d ms + %d ms check)%n", i == 0
                        ? "first start" : "run " + i + "/" + p.runs(), ready[i], load[i], check[i]);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("people", p.people());
            out.put("templates", (long) p.people() * p.templatesPerPerson());
            long[] measured = Arrays.copyOfRange(ready, 1, ready.length);
            out.put("start_to_ready_ms", median(measured));
            out.put("start_to_ready_ms_runs", measured);
            out.put("gallery_load_ms", median(Arrays.copyOfRange(load, 1, load.length)));
            out.put("gallery_check_ms", median(Arrays.copyOfRange(check, 1, check.length)));
            out.put("first_start_to_ready_ms", ready[0]);
            out.put("first_start_gallery_load_ms", load[0]);
            out.put("gallery_write_ms", writeMs);
            out.put("gallery_file_mb", Math.round(Files.size(GalleryConfig.defaults().withDataDir(data)
                    .databaseFile()) / 1e5) / 10.0);
            out.put("jvm_options", command.subList(1, command.indexOf("-cp")));
            return out;
        } finally {
            if (receiver != null) {
                receiver.destroyForcibly();
            }
            if (p.keep()) {
                log.println("kept " + work);
            } else {
                deleteTree(work);
            }
        }
    }

    /** Random unit templates of the installed feature model, a few thousand people per transaction. */
    private static long writeGallery(Params p, Path file, PrintStream log) {
        ModelPack.Entry feature = ModelPack.load(p.modelsDir()).entry("feature");
        String modelId = feature.file().replaceFirst("\\.onnx$", "");
        long[] shape = feature.outputs().get(0).shape();
        int dim = (int) shape[shape.length - 1];
        SplittableRandom rnd = new SplittableRandom(p.seed());
        Instant now = Instant.now();
        String photo = "0".repeat(64);
        long t0 = System.nanoTime();
        try (GalleryStore store = GalleryStore.open(file)) {
            List<GalleryStore.Entry> batch = new ArrayList<>();
            for (int i = 0; i < p.people(); i++) {
                String id = String.format("person-%06d", i);
                List<Template> ts = new ArrayList<>();
                for (int k = 0; k < p.templatesPerPerson(); k++) {
                    ts.add(new Template(id, SearchBenchmark.randomUnit(rnd, dim), modelId, feature.sha256(), 1.0, photo, now));
                }
                batch.add(new GalleryStore.Entry(Person.of(id, "Person " + i, null), ts));
                if (batch.size() == 5000 || i == p.people() - 1) {
                    store.importEntries(batch, p.templatesPerPerson());
                    batch.clear();
                    log.printf("\rgallery: %d / %d people written", i + 1, p.people());
                }
            }
        }
        log.println();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The daemon's configuration: the mock door, a folder camera of one empty frame, MQTT off. */
    private static Path writeConfig(Path work, Path models, Path data) throws IOException {
        Path camera = Files.createDirectories(work.resolve("camera"));
        try (Mat grey = new Mat(480, 640, CV_8UC3, new Scalar(90, 90, 90, 0))) {
            imwrite(camera.resolve("empty.png").toString(), grey);
        }
        Path config = work.resolve("facegate.yml");
        Files.writeString(config, String.join("\n",
                "vision: {models_dir: '" + models.toAbsolutePath() + "'}",
                "gallery: {data_dir: '" + data.toAbsolutePath() + "'}",
                "door: {provider: mock, modes_path: '" + work.resolve("door.modes").toAbsolutePath() + "'}",
                "camera: {type: folder, path: '" + camera.toAbsolutePath() + "', fps: 10, loop: true}",
                "mqtt: {enabled: false, state_path: '" + work.resolve("mqtt.db").toAbsolutePath() + "'}", ""));
        return config;
    }

    /**
     * java, the unit's options and this JVM's native cache folder, a class path given as a manifest-only jar (ONNX
     * Runtime crashes when the command line is longer than about 4,000 characters), facegate's main class.
     */
    private static List<String> childCommand(Path work, List<String> extra, Path config) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(UNIT_JVM_OPTIONS);
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        cmd.addAll(extra);
        cmd.add("-cp");
        cmd.add(ClassPathJar.write(work).toString());
        cmd.add("io.facegate.cli.Main");
        cmd.addAll(List.of("run", "--config", config.toString()));
        return cmd;
    }

    /** Reads the stand-in socket's messages until READY=1; fails when the daemon exits first or takes too long. */
    private static void awaitReady(BufferedReader messages, Process child, Path childLog) throws IOException {
        String line;
        while ((line = messages.readLine()) != null) {
            if (line.contains("READY=1")) {
                return;
            }
        }
        throw new IllegalStateException("no READY=1 within " + READY_TIMEOUT_SECONDS + " s (daemon "
                + (child.isAlive() ? "still starting" : "exited " + child.exitValue()) + "): " + tail(childLog));
    }

    /** {load, check} milliseconds from the daemon's gallery log line, or -1 when it is not there. */
    private static long[] loadMillis(Path childLog) throws IOException {
        Matcher m = LOADED.matcher(Files.readString(childLog));
        return m.find() ? new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : new long[]{-1, -1};
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static long median(long[] xs) {
        long[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a scratch folder left behind is harmless
        }
    }
}

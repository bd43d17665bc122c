package io.facegate.daemon;

import io.facegate.TestData;
import io.facegate.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM shortly after start (finding 12): a child {@code facegate run} is stopped while it is still starting
 * (loading models) and while its pipeline is detecting faces. Each time the door is locked on the way out, the
 * models are freed only after the last inference, and the exit status is 0. A crash inside ONNX Runtime would show
 * as a status of 134/139 and no "facegate stopped, door locked" line.
 */
class RunSigtermTest {
    private static final int ROUNDS = 2;

    @Test
    void sigtermDuringStartUpAndWhileDetectingStopsInOrderWithStatusZero(@TempDir Path tmp) throws Exception {
        Path faces = TestData.faces("deepface").resolve("p01");
        Path config = Files.writeString(tmp.resolve("facegate.yml"), String.join("\n",
                "vision: {models_dir: '" + TestData.models() + "'}",
                "gallery: {data_dir: '" + tmp.resolve("data") + "'}",
                "door: {provider: mock, modes_path: '" + tmp.resolve("door.modes") + "'}",
                "camera: {type: folder, path: '" + faces + "', fps: 30, loop: true, realtime: true}",
                "mqtt: {enabled: false, state_path: '" + tmp.resolve("data/mqtt.db") + "'}", ""));
        for (int round = 0; round < ROUNDS; round++) {
            // while detecting: right after the pipeline started on the looping photos
            stopAfter(config, tmp.resolve("running-" + round + ".log"), "facegate running");
            // during start-up: right after the door was locked, while the models load
            stopAfter(config, tmp.resolve("start-" + round + ".log"), "door LOCKED start");
        }
    }

    private static List<String> javaCommand(Path config) throws java.io.IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        // the classes under test, through a manifest-only jar: the test class path on the command line (about
        // 5,000 characters) makes ONNX Runtime crash the child JVM (see TestData.classPathJar)
        cmd.addAll(List.of("-cp", TestData.classPathJar(config.getParent()).toString(), Main.class.getName(), "run",
                "--config", config.toString()));
        return cmd;
    }

    private static void stopAfter(Path config, Path log, String line) throws Exception {
        List<String> cmd = javaCommand(config);
        cmd.add(3, "-XX:ErrorFile=" + log + ".hs_err");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
                assertTrue(p.isAlive(), "the daemon ended before '" + line + "':\n" + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "no '" + line + "' within 60 s:\n" + Files.readString(log));
                TimeUnit.MILLISECONDS.sleep(5); // polling the child's log for the line, with a deadline
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the daemon did not stop within 60 s of SIGTERM");
            String out = Files.readString(log);
            Path crash = Path.of(log + ".hs_err");
            assertEquals(0, p.exitValue(), "exit status after SIGTERM ('" + line + "'):\n" + out
                    + (Files.exists(crash) ? Files.readString(crash).substring(0, 3000) : ""));
            assertTrue(out.contains("facegate stopped, door locked"), "stopped in order, door locked:\n" + out);
            assertTrue(out.indexOf("stopping (signal)") < out.indexOf("facegate stopped"), out);
        } finally {
            p.destroyForcibly();
        }
    }
    /** A camera gone for good: {@code run} exits non-zero (3) after give_up_after_ms, so that systemd restarts it. */
    @Test
    void runExitsNonZeroWhenTheCameraIsGoneForGood(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("facegate.yml"), String.join("\n",
                "vision: {models_dir: '" + TestData.models() + "'}",
                "gallery: {data_dir: '" + tmp.resolve("data") + "'}",
                "door: {provider: mock, modes_path: '" + tmp.resolve("door.modes") + "'}",
                "pipeline: {give_up_after_ms: 2000}",
                "camera: {type: stream, url: 'rtsp://127.0.0.1:9/none', open_timeout_ms: 1000, read_timeout_ms: 1000,"
                        + " reconnect_initial_ms: 100, reconnect_max_ms: 200}",
                "mqtt: {enabled: false, state_path: '" + tmp.resolve("data/mqtt.db") + "'}", ""));
        Path log = tmp.resolve("gone.log");
        Process p = new ProcessBuilder(javaCommand(config)).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the daemon kept running without a camera");
            String out = Files.readString(log);
            assertEquals(3, p.exitValue(), out);
            assertTrue(out.contains("cannot continue") && out.contains("the camera delivers no frames"), out);
            assertTrue(out.contains("facegate stopped, door locked"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}

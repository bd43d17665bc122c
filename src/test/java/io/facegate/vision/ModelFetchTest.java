package io.facegate.vision;

import io.facegate.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code models/fetch --from}: the offline install path of a device. The package tarballs are rebuilt from the
 * installed, verified files (the registry is not needed), once intact and once with one byte changed.
 */
class ModelFetchTest {

    @Test
    void installsVerifiedFilesAndNothingOnAHashMismatch(@TempDir Path tmp) throws Exception {
        Path installed = TestData.models();
        Path script = Path.of("models/fetch").toAbsolutePath();
        Path lock = Path.of("models/models.lock").toAbsolutePath();
        assertTrue(Files.isDirectory(installed.resolve("demo")), "demo photos installed by models/fetch");

        Path good = Files.createDirectories(tmp.resolve("good"));
        Path models = tarball(good, "faceplugin-face-recognition-js-0.0.1.tgz", "package/model", installed,
                List.of("fr_detect.onnx", "fr_landmark.onnx", "fr_feature.onnx", "fr_liveness.onnx"), null);
        Path photos = tarball(good, "vladmandic-face-api-1.7.15.tgz", "package/demo", installed.resolve("demo"),
                List.of("sample1.jpg", "sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg"), null);
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Path tampered = tarball(bad, "faceplugin-face-recognition-js-0.0.1.tgz", "package/model", installed,
                List.of("fr_detect.onnx", "fr_landmark.onnx", "fr_feature.onnx", "fr_liveness.onnx"), "fr_feature.onnx");

        // a fresh models folder: the script and its lock, nothing else
        Path target = Files.createDirectories(tmp.resolve("models"));
        Files.copy(script, target.resolve("fetch"));
        target.resolve("fetch").toFile().setExecutable(true);
        Files.copy(lock, target.resolve("models.lock"));

        Result refused = run(target, "--from", tampered.toString(), photos.toString());
        assertEquals(1, refused.code, refused.output);
        assertTrue(refused.output.contains("fr_feature.onnx has SHA-256"), refused.output);
        assertTrue(refused.output.contains("nothing from it installed"), refused.output);
        assertFalse(Files.exists(target.resolve("fr_detect.onnx")), "no model of the tampered package installed");

        Result ok = run(target, "--from", models.toString(), photos.toString());
        assertEquals(0, ok.code, ok.output);
        for (String f : List.of("fr_detect.onnx", "fr_landmark.onnx", "fr_feature.onnx", "fr_liveness.onnx")) {
            assertEquals(ModelPack.sha256(installed.resolve(f)), ModelPack.sha256(target.resolve(f)), f);
        }
        assertTrue(Files.exists(target.resolve("demo/sample6.jpg")));
        Result check = run(target, "--check");
        assertEquals(0, check.code, check.output);
        assertTrue(check.output.contains("all 10 files verified"), check.output);
    }

    private record Result(int code, String output) {
    }

    private static Result run(Path modelsDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", modelsDir.resolve("fetch").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "models/fetch finished");
        return new Result(p.exitValue(), out);
    }

    /** An npm-style tarball holding {@code files} under {@code folder}; {@code corrupt} gets one byte flipped. */
    private static Path tarball(Path dir, String name, String folder, Path from, List<String> files, String corrupt)
            throws IOException, InterruptedException {
        Path root = Files.createDirectories(dir.resolve("src-" + name));
        Path inner = Files.createDirectories(root.resolve(folder));
        for (String f : files) {
            Files.copy(from.resolve(f), inner.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            if (f.equals(corrupt)) {
                byte[] b = Files.readAllBytes(inner.resolve(f));
                b[b.length / 2] ^= 1;
                Files.write(inner.resolve(f), b);
            }
        }
        Path tgz = dir.resolve(name);
        Process p = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", root.toString(), "package")
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        return tgz;
    }
}

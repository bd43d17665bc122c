package io.facegate;

import io.facegate.bench.ClassPathJar;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests find the real models and real face photos. Photos are never copied into the repository: they are
 * read from $FACEGATE_FACES (default ../shared/faces beside the checkout); tests needing them are skipped, saying
 * why, when they are absent.
 */
public final class TestData {
    private TestData() {
    }

    public static Path facesDir() {
        String env = System.getenv("FACEGATE_FACES");
        return Path.of(env != null && !env.isBlank() ? env : "../shared/faces").toAbsolutePath().normalize();
    }

    /** {@code faces/<set>}, or the test is skipped with the reason. */
    public static Path faces(String set) {
        Path dir = facesDir().resolve(set);
        Assumptions.assumeTrue(Files.isDirectory(dir),
                "real face photos not found at " + dir + " (set FACEGATE_FACES to a folder holding " + set + "/)");
        return dir;
    }

    public static Path modelsDir() {
        String env = System.getenv("FACEGATE_MODELS");
        return Path.of(env != null && !env.isBlank() ? env : "models").toAbsolutePath().normalize();
    }

    /** The installed model pack, or the test is skipped telling how to install it. */
    public static Path models() {
        Path dir = modelsDir();
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("fr_feature.onnx")),
                "model pack not installed in " + dir + " (run models/fetch)");
        return dir;
    }

    /** A jar whose manifest carries this test JVM's class path, for child JVMs ({@link ClassPathJar}). */
    public static Path classPathJar(Path dir) throws java.io.IOException {
        return ClassPathJar.write(dir);
    }
}

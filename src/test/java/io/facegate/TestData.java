package io.facegate;

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

    /**
     * A jar holding only a manifest class path of this test JVM's class path, for child JVMs that run the code under
     * test: ONNX Runtime crashes the JVM (SIGSEGV) when the command line is longer than about 4,000 characters (see
     * pom.xml), which the test class path after -cp exceeds.
     */
    public static Path classPathJar(Path dir) throws java.io.IOException {
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!e.isBlank()) {
                cp.append(Path.of(e).toAbsolutePath().toUri()).append(' ');
            }
        }
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, cp.toString().trim());
        Path jar = dir.resolve("child-classpath.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }
}

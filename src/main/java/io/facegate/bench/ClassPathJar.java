package io.facegate.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A jar holding only a manifest class path of this JVM's class path, for child JVMs that run facegate: ONNX Runtime
 * crashes the JVM (SIGSEGV) when the command line is longer than about 4,000 characters (see pom.xml), which a test
 * or benchmark class path after -cp exceeds.
 */
public final class ClassPathJar {
    private ClassPathJar() {
    }

    /** Writes {@code dir/classpath.jar} and returns it. */
    public static Path write(Path dir) throws IOException {
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                cp.append(Path.of(e).toAbsolutePath().toUri()).append(' ');
            }
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString().trim());
        Path jar = dir.resolve("classpath.jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }
}

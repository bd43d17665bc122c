package io.facegate.camera;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The real face photos (never copied into the repository): env FACEGATE_FACES, else ../shared/faces upwards. */
final class TestFaces {
    private TestFaces() {
    }

    static Path root() {
        String env = System.getenv("FACEGATE_FACES");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            assumeTrue(Files.isDirectory(p), "FACEGATE_FACES=" + env + " is not a directory");
            return p;
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("../shared/faces").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        assumeTrue(false, "face photos not found: set FACEGATE_FACES to the faces folder");
        return null;
    }

    /** The photos of one person folder, sorted by name (e.g. "bbt/amy"). */
    static List<Path> photos(String personFolder) {
        Path dir = root().resolve(personFolder);
        assumeTrue(Files.isDirectory(dir), "no photo folder " + dir);
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> photos = s.filter(p -> p.toString().matches("(?i).*\\.(jpg|jpeg|png)$")).sorted()
                    .collect(Collectors.toList());
            assumeTrue(photos.size() >= 2, "fewer than 2 photos in " + dir);
            return photos;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

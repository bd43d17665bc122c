package io.facegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A presentation-attack dataset: {@code DIR/live/...} (bona fide presentations) and {@code DIR/spoof/...}, where
 * images directly in {@code spoof/} are of kind {@value #UNNAMED_KIND} and each sub-folder {@code spoof/<kind>/} is
 * one kind (attack species, e.g. print, screen), its images found at any depth. Sorted by name.
 */
public record LivenessDataset(Path root, List<Path> live, Map<String, List<Path>> spoof) {
    public static final String UNNAMED_KIND = "spoof";

    public static LivenessDataset load(Path root) throws IOException {
        Path liveDir = root.resolve("live");
        Path spoofDir = root.resolve("spoof");
        if (!Files.isDirectory(liveDir)) {
            throw new IOException(root + ": no live/ folder (expected DIR/live and DIR/spoof[/<kind>])");
        }
        List<Path> live = images(liveDir, Integer.MAX_VALUE);
        if (live.isEmpty()) {
            throw new IOException(liveDir + " holds no images");
        }
        Map<String, List<Path>> spoof = Files.isDirectory(spoofDir) ? kinds(spoofDir) : Map.of();
        return new LivenessDataset(root, live, spoof);
    }

    /** Attacks by kind in a folder laid out as {@code spoof/}: its own images, then one kind per sub-folder. */
    public static Map<String, List<Path>> kinds(Path spoofDir) throws IOException {
        if (!Files.isDirectory(spoofDir)) {
            throw new IOException(spoofDir + " is not a folder");
        }
        Map<String, List<Path>> spoof = new LinkedHashMap<>();
        List<Path> direct = images(spoofDir, 1);
        if (!direct.isEmpty()) {
            spoof.put(UNNAMED_KIND, direct);
        }
        try (Stream<Path> dirs = Files.list(spoofDir)) {
            for (Path kind : dirs.filter(Files::isDirectory).sorted().toList()) {
                List<Path> photos = images(kind, Integer.MAX_VALUE);
                if (!photos.isEmpty()) {
                    // a sub-folder named like the loose images' kind joins them
                    spoof.merge(kind.getFileName().toString(), photos,
                            (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
                }
            }
        }
        return spoof;
    }

    /** Live frames only (calibration): every image under {@code dir}. */
    public static List<Path> images(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a folder");
        }
        return images(dir, Integer.MAX_VALUE);
    }

    private static List<Path> images(Path dir, int depth) throws IOException {
        try (Stream<Path> files = Files.walk(dir, depth)) {
            return files.filter(Files::isRegularFile).filter(FaceDataset::isImage).sorted().toList();
        }
    }

    public int spoofCount() {
        return spoof.values().stream().mapToInt(List::size).sum();
    }
}

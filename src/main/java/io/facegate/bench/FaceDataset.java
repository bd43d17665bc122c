package io.facegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** A benchmark dataset laid out as {@code DIR/<person>/<photo>}, people and photos sorted by name. */
public record FaceDataset(Path root, List<Person> people) {

    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "pgm", "ppm", "bmp", "webp");

    public record Person(String name, List<Path> photos) {
    }

    /** A photo and whose it is. */
    public record Photo(String person, Path path) {
    }

    public static FaceDataset load(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a folder of <person>/<photo>");
        }
        List<Person> people = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    List<Path> photos = files.filter(Files::isRegularFile).filter(FaceDataset::isImage).sorted().toList();
                    if (!photos.isEmpty()) {
                        people.add(new Person(dir.getFileName().toString(), photos));
                    }
                }
            }
        }
        if (people.isEmpty()) {
            throw new IOException(root + " holds no <person>/<photo> images");
        }
        return new FaceDataset(root, List.copyOf(people));
    }

    public static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    public List<Photo> photos() {
        List<Photo> all = new ArrayList<>();
        for (Person p : people) {
            for (Path photo : p.photos()) {
                all.add(new Photo(p.name(), photo));
            }
        }
        return all;
    }
}

package io.facegate.cli;

import io.facegate.config.GalleryConfig;
import io.facegate.config.Yaml;
import io.facegate.gallery.IdentifyBenchmark;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code facegate bench identify}: open-set 1:N accuracy on a folder of people. */
@Command(name = "identify", mixinStandardHelpOptions = true,
        description = {"Open-set identification on DIR/<person>/<photo>: people sorted by folder name, the 1st,"
                + " 3rd, 5th... enrolled (quality gates included) with their first K photos, the others strangers;"
                + " every other photo is a probe. Reports rank-1, FNIR at FPIR 1e-2 and FPIR/FNIR at the configured"
                + " threshold and margin, for the float32 and the int8 matrix."})
public final class BenchIdentifyCommand implements Callable<Integer> {
    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "folder of <person>/<photo>")
    Path dataset;

    @Option(names = "--enroll", defaultValue = "2", paramLabel = "K",
            description = "photos enrolled per enrolled person (default ${DEFAULT-VALUE})")
    int enroll;

    @Option(names = "--work-dir", description = "where the temporary gallery goes (default: the system temp dir)")
    Path workDir;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Mixin
    VisionOptions vision;

    @Mixin
    GalleryOptions galleryOptions;

    @Override
    public Integer call() throws Exception {
        if (enroll < 1) {
            System.err.println("--enroll must be >= 1");
            return 2;
        }
        GalleryConfig cfg = galleryOptions.gallery();
        Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
        Map<String, Object> r;
        try (FacePipeline p = vision.open()) {
            r = IdentifyBenchmark.run(p, new IdentifyBenchmark.Params(dataset, enroll, cfg, dir));
        }
        if (json) {
            System.out.println(Yaml.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-26s %s%n", k, v));
        }
        return 0;
    }
}

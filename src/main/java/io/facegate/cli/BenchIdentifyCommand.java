package io.facegate.cli;

import io.facegate.bench.IdentifyBenchmark;
import io.facegate.config.FacegateConfig;
import io.facegate.config.Yaml;
import io.facegate.vision.FacePipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code facegate bench identify}: open-set 1:N accuracy on a folder of people, by the door's own rule. */
@Command(name = "identify", mixinStandardHelpOptions = true,
        description = {"Open-set identification on photos DIR/<person>/<photo>, judged by the door's decision rule.",
                "People sorted by folder name, the 1st, 3rd, 5th... enrolled (quality gates included) with their"
                + " first K photos, the others strangers; every other photo is a probe. The rule (threshold for this"
                + " gallery's size from access.target_fpir, margin, quality gates): FPIR and FNIR at that threshold, FNIR at"
                + " FPIR 1e-2 and 1e-3, and an identification DET plot."})
public final class BenchIdentifyCommand implements Callable<Integer> {
    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "folder of <person>/<photo>")
    Path dataset;

    @Option(names = "--enroll", defaultValue = "2", paramLabel = "K",
            description = "photos enrolled per enrolled person (default ${DEFAULT-VALUE})")
    int enroll;

    @Option(names = "--work-dir", description = "where the temporary gallery goes (default: the system temp dir)")
    Path workDir;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "write the identification DET curve (FNIR"
            + " against FPIR) with the operating point")
    Path plot;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Mixin
    DecisionOptions options;

    @Override
    public Integer call() throws Exception {
        if (enroll < 1) {
            System.err.println("--enroll must be >= 1");
            return 2;
        }
        FacegateConfig cfg = options.facegate();
        Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
        Map<String, Object> r;
        try (FacePipeline p = options.openVision()) {
            r = IdentifyBenchmark.run(p, new IdentifyBenchmark.Params(dataset, enroll, cfg.gallery(),
                    options.rule(p), dir, plot));
        }
        if (json) {
            System.out.println(Yaml.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-26s %s%n", k, v));
        }
        return 0;
    }
}

package io.facegate.cli;

import io.facegate.config.Yaml;
import io.facegate.bench.SearchBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code facegate bench search}: how fast 1:N matching is, against a scalar loop and the bandwidth bound. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Times the door's 1:N search over random normalised templates in a temporary gallery: the"
                + " SIMD matcher, the plain scalar loop, and a sequential SIMD read of as many bytes (the memory"
                + " bandwidth bound), float32 and int8.",
                "Medians over interleaved rounds after a warm-up.",
                "Needs: java --add-modules jdk.incubator.vector"})
public final class BenchSearchCommand implements Callable<Integer> {
    @Option(names = "--templates", required = true, description = "number of templates, e.g. 100000")
    int templates;

    @Option(names = "--dim", defaultValue = "512", description = "embedding dimensions (default ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--per-person", defaultValue = "5", description = "templates per person (default ${DEFAULT-VALUE})")
    int perPerson;

    @Option(names = "--rounds", defaultValue = "21", description = "timed rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--work-dir", description = "where the temporary gallery goes (default: the system temp dir)")
    Path workDir;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (templates < 1 || dim < 1 || perPerson < 1 || rounds < 1) {
            System.err.println("--templates, --dim, --per-person and --rounds must be >= 1");
            return 2;
        }
        Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
        Map<String, Object> r = SearchBenchmark.run(
                new SearchBenchmark.Params(templates, dim, perPerson, rounds, seed, dir), System.err);
        if (json) {
            System.out.println(Yaml.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-30s %s%n", k, v));
        }
        return 0;
    }
}

package io.facegate.cli;

import io.facegate.bench.StartupBenchmark;
import io.facegate.config.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code facegate bench startup}: start to READY of the real daemon with a large generated gallery. */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = {"Start to READY (systemd notify) of 'facegate run' in a fresh JVM with the systemd unit's"
                + " options, a generated gallery of random templates of the installed model, the mock door, an"
                + " image-folder camera and MQTT off; READY is received on a stand-in NOTIFY_SOCKET (needs python3"
                + " and systemd-notify). Also reports the daemon's gallery load time.",
                "Median of --runs runs; each run is stopped with SIGTERM and must exit 0."})
public final class BenchStartupCommand implements Callable<Integer> {
    @Option(names = "--people", defaultValue = "10000", description = "enrolled people (default ${DEFAULT-VALUE})")
    int people;

    @Option(names = "--templates-per-person", defaultValue = "1",
            description = "templates per person (default ${DEFAULT-VALUE})")
    int templatesPerPerson;

    @Option(names = "--runs", defaultValue = "3", description = "daemon starts (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--models", defaultValue = "models", description = "the model pack (default ${DEFAULT-VALUE})")
    Path models;

    @Option(names = "--work-dir", description = "where the scratch gallery goes (default: the system temp dir)")
    Path workDir;

    @Option(names = "--keep", description = "keep the scratch folder: gallery, configuration, each run's timed log")
    boolean keep;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
        Map<String, Object> r = StartupBenchmark.run(new StartupBenchmark.Params(people, templatesPerPerson, runs,
                models, dir, 1, keep), System.err);
        if (json) {
            System.out.println(Yaml.jsonMapper().writeValueAsString(r));
        } else {
            r.forEach((k, v) -> System.out.printf("%-24s %s%n", k, v instanceof long[] a
                    ? java.util.Arrays.toString(a) : v));
        }
        return 0;
    }
}

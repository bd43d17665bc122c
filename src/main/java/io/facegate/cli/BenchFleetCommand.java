package io.facegate.cli;

import io.facegate.bench.FleetBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code facegate bench fleet}: fleet gallery sync at scale (see {@link FleetBench}). */
@Command(name = "fleet", mixinStandardHelpOptions = true,
        description = {"Benchmark fleet gallery sync: N doors (production sync, gallery and SQLite files; no camera or"
                + " models) against one broker, P sealed enrollments, then C changes while some doors are offline.",
                "Reports per-change convergence on the online doors, catch-up of reconnecting doors, whether every"
                        + " door ends with the same heads hash, and what the broker retains."})
public final class BenchFleetCommand implements Callable<Integer> {
    @Option(names = "--doors", defaultValue = "20", description = "Doors (default: ${DEFAULT-VALUE}).")
    int doors;
    @Option(names = "--persons", defaultValue = "200", description = "Enrollments first (default: ${DEFAULT-VALUE}).")
    int persons;
    @Option(names = "--changes", defaultValue = "20",
            description = "Changes after them, 3 updates to 1 removal (default: ${DEFAULT-VALUE}).")
    int changes;
    @Option(names = "--offline", description = "Doors offline during the changes (default: a tenth, at least 1).")
    Integer offline;
    @Option(names = "--broker", paramLabel = "URI",
            description = "A broker to use (default: a local Mosquitto started on a free port with the fleet settings).")
    String broker;
    @Option(names = "--interval-ms", defaultValue = "200", description = "Pause between changes (default: ${DEFAULT-VALUE}).")
    long intervalMs;
    @Option(names = "--dim", defaultValue = "512", description = "Template dimension (default: ${DEFAULT-VALUE}).")
    int dim;
    @Option(names = "--timeout-s", defaultValue = "600", description = "Longest wait for one phase (default: ${DEFAULT-VALUE}).")
    long timeoutS;
    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the doors' SQLite files go (default: a new temp folder). On tmpfs (/dev/shm) it"
                    + " measures the sync without the disk's fsync cost.")
    java.nio.file.Path workDir;
    @Option(names = "--imaged", description = "Only the first door loads the enrollments over MQTT; the others start"
            + " from a copy of its synced files, as an installer images doors (for campus sizes: the cold load is"
            + " then measured on one door).")
    boolean imaged;
    @Option(names = "--json", description = "Only the JSON result on stdout (progress goes to stderr either way).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (doors < 2 || persons < 2 || changes < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "need --doors >= 2, --persons >= 2, --changes >= 0");
        }
        int off = offline != null ? offline : Math.max(1, doors / 10);
        if (off < 0 || off >= doors) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--offline must be between 0 and doors - 1");
        }
        long t0 = System.nanoTime();
        java.nio.file.Path work = workDir == null ? null : java.nio.file.Files.createTempDirectory(
                java.nio.file.Files.createDirectories(workDir), "facegate-bench-fleet");
        Map<String, Object> r;
        try {
            r = new FleetBench(new FleetBench.Options(doors, persons, changes, off, broker, dim,
                    Duration.ofMillis(intervalMs), Duration.ofSeconds(timeoutS), work,
                    msg -> System.err.printf("[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, msg), imaged)).run();
        } finally {
            if (work != null) {
                FleetBench.deleteTree(work);
            }
        }
        System.out.println(json ? AdminCommand.JSON.writeValueAsString(r)
                : AdminCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        return Boolean.TRUE.equals(r.get("same_hash")) && Integer.valueOf(0).equals(r.get("unconverged_changes"))
                ? 0 : 1;
    }
}

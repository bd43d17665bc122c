package io.facegate.gallery;

import io.facegate.cli.BenchSearchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs this package's commands the way Main will register them (the lead owns Main):
 * {@code java --add-modules jdk.incubator.vector -cp target/facegate.jar:target/test-classes
 * io.facegate.gallery.DevCli bench search --templates 100000 --json}.
 */
@Command(name = "facegate-dev", mixinStandardHelpOptions = true)
public final class DevCli {
    @Command(name = "bench", mixinStandardHelpOptions = true, description = "benchmarks")
    static final class Bench {
    }

    public static void main(String[] args) {
        CommandLine bench = new CommandLine(new Bench())
                .addSubcommand(new BenchSearchCommand())
                .addSubcommand(new io.facegate.cli.BenchIdentifyCommand());
        CommandLine root = new CommandLine(new DevCli()).addSubcommand(bench)
                .addSubcommand(new io.facegate.cli.EnrollCommand())
                .addSubcommand(new io.facegate.cli.GalleryCommand());
        System.exit(root.execute(args));
    }
}

package io.facegate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code facegate}: one picocli command tree for the daemon, tools and benchmarks. */
@Command(name = "facegate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Face-recognition door controller for edge hardware.",
        subcommands = {
                CommandLine.HelpCommand.class,
                RunCommand.class,
                DemoCommand.class,
                EnrollCommand.class,
                GalleryCommand.class,
                CompareCommand.class,
                CalibrateCommand.class,
                AdminCommand.class,
                BenchCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::reportFailure);
    }

    /**
     * Expected failures (bad configuration, a missing model, an unreadable file) are reported as one clear line;
     * the stack trace is only printed when FACEGATE_DEBUG is set.
     */
    private static int reportFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        if (System.getenv("FACEGATE_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
        }
        return 2;
    }

    /** Commands that print their own report: the daemon's INFO lines would only interleave with it. */
    private static final java.util.Set<String> REPORTING_COMMANDS = java.util.Set.of("demo", "bench", "compare");

    public static void main(String[] args) {
        if (args.length > 0 && REPORTING_COMMANDS.contains(args[0])
                && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // must be set before the first logger exists
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }
}

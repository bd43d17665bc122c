package io.facegate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code facegate bench ...}: measurements of accuracy and speed on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: accuracy and speed measured on this machine.",
        subcommands = {
                BenchVerifyCommand.class,
                BenchSoakCommand.class,
                BenchDecisionCommand.class,
                BenchIdentifyCommand.class,
                BenchSearchCommand.class,
                BenchMqttCommand.class,
                BenchFleetCommand.class,
                BenchPipelineCommand.class,
                BenchLivenessCommand.class,
                BenchStartupCommand.class,
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

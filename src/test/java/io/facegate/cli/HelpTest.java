package io.facegate.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A command list ({@code facegate --help}, {@code facegate bench --help}) shows the first line of each
 * subcommand's description: that line must be a whole sentence, never one cut where the text went on.
 */
class HelpTest {
    @Test
    void everyCommandListEntryIsAWholeSentence() {
        List<String> cut = new ArrayList<>();
        collect(Main.commandLine(), cut);
        assertEquals(List.of(), cut, "commands whose list entry (first description line) is not a whole sentence");
    }

    private static void collect(CommandLine cmd, List<String> cut) {
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (sub.getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            String[] d = sub.getCommandSpec().usageMessage().description();
            String first = d.length == 0 ? "" : d[0].strip();
            if (!first.endsWith(".")) {
                cut.add(sub.getCommandSpec().qualifiedName() + ": \"" + first + "\"");
            }
            collect(sub, cut);
        }
    }
}

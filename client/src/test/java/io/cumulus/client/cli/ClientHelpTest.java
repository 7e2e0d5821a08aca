package io.cumulus.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class ClientHelpTest {

    /** Every command path of the client: {@code []}, {@code [login]}, ..., and any nested subcommand. */
    static List<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new ClientMain()), List.of(), paths);
        return paths;
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
        into.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            List<String> longer = new ArrayList<>(path);
            longer.add(name);
            collect(sub, longer, into);
        });
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpWithExitZero() {
        List<List<String>> paths = new ArrayList<>(commandPaths());
        paths.add(List.of("devices", "revoke")); // revoke is an argument of devices, its help is devices'
        assertThat(paths).contains(List.of("login"), List.of("resolve"), List.of("restore"), List.of("devices"),
                List.of("photos"), List.of("album", "add"), List.of("favourite"), List.of("unfavourite"));
        for (List<String> path : paths) {
            for (String help : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(help);
                StringWriter out = new StringWriter();
                CommandLine cli = new CommandLine(new ClientMain());
                cli.setOut(new PrintWriter(out));
                cli.setErr(new PrintWriter(out));

                int exit = cli.execute(args.toArray(String[]::new));

                assertThat(exit).as("%s: %s", args, out).isZero();
                assertThat(out.toString()).as(args.toString()).startsWith("Usage: cumulus" + (path.isEmpty() ? "" : " " + path.getFirst()));
            }
        }
    }

    @Test
    void restoresVersionOptionIsTheVersionToRestoreNotTheClientsVersion() {
        CommandLine cli = new CommandLine(new ClientMain());
        CommandLine.ParseResult parsed = cli.parseArgs("restore", "notes.txt", "--version", "3");
        HistoryCommands.Restore restore = (HistoryCommands.Restore) parsed.subcommand().commandSpec().userObject();
        assertThat(restore.version).isEqualTo(3);
    }
}

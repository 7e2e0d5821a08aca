package io.cumulus.client.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.cumulus.client.api.Remote;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.cli.HistoryCommands.Located;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.Syncer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Unresolved conflicts: how {@code status} shows them, and {@code resolve}. */
final class ConflictCommands {
    private ConflictCommands() {
    }

    /** The lines {@code status} prints for one conflict: the copy and who kept it, then its original. */
    static List<String> describe(Remote.Conflict c) {
        return List.of(c.copy().path() + "  kept from " + c.copy().device() + " at " + c.copy().at(),
                "  original: " + c.original().path() + "  " + (c.original().deleted() ? "deleted by " : "")
                        + c.original().device() + " at " + c.original().at());
    }

    /** One conflict as {@code status --json} shows it. */
    static Map<String, Object> json(Remote.Conflict c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("copy", c.copy().path());
        m.put("copyFileId", c.copy().fileId());
        m.put("copyDevice", c.copy().device());
        m.put("copyAt", c.copy().at());
        m.put("original", c.original().path());
        m.put("originalFileId", c.original().fileId());
        m.put("originalDeleted", c.original().deleted());
        m.put("originalDevice", c.original().device());
        m.put("originalAt", c.original().at());
        return m;
    }

    /** What {@code --keep} may say: a side named from this device's point of view, or as the server names it. */
    enum Keep {
        MINE, THEIRS, BOTH, COPY, ORIGINAL;

        static Keep parse(CommandLine cli, String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, "--keep must be mine, theirs, both, copy or original, not '"
                        + value + "'");
            }
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = "Resolves a conflict that `status` lists: keeps this device's side (mine), the other device's "
                    + "(theirs), or both as separate files, on every device.")
    static final class Resolve implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "the conflicted copy or its original, inside a synced folder")
        Path file;

        @Option(names = "--keep", required = true, paramLabel = "SIDE", description = "mine (the side this device wrote last), "
                + "theirs (the other side), both (the copy becomes a file of its own), copy or original")
        String keep;

        @Option(names = "--folder", paramLabel = "DIR", description = "the synced folder a relative PATH is in "
                + "(default: found from PATH)")
        Path folder;

        @Override
        public Integer call() throws IOException {
            CommandLine cli = spec.commandLine();
            Keep wanted = Keep.parse(cli, keep);
            DeviceConfig device = main.device();
            ServerApi api = ClientMain.api(device);
            Located at = folder != null && !file.isAbsolute()
                    ? HistoryCommands.requireLocated(cli, folder.resolve(file))
                    : HistoryCommands.requireLocated(cli, file);
            try (LocalState state = LocalState.open(at.folder())) {
                Syncer syncer = Syncer.forDevice(at.folder(), device.homeNamespace(), device.deviceId(), api, state,
                        ClientMain.Sync::say);
                // Local edits go out first: the server resolves on this device's behalf with its next counter, which an
                // edit still waiting here would then reuse for other content and be taken for a duplicate.
                syncer.syncOnce();
                Remote.Conflict conflict = conflictAt(cli, api.conflicts(device.homeNamespace()), at.path());
                String side = serverSide(cli, wanted, conflict, device.deviceId());
                String batchId = ClientMain.whenTaken(() -> api.resolve(device.homeNamespace(), conflict.copy().fileId(), side));
                settleAndSync(syncer, batchId);
                System.out.println(switch (side) {
                    case "copy" -> "resolved: " + conflict.original().path() + " now has the content of " + conflict.copy().path();
                    case "original" -> "resolved: kept " + conflict.original().path() + ", removed " + conflict.copy().path();
                    default -> "resolved: kept both " + conflict.original().path() + " and " + conflict.copy().path();
                });
            }
            return 0;
        }

        /** The one unresolved conflict PATH is the copy or the original of. */
        private static Remote.Conflict conflictAt(CommandLine cli, List<Remote.Conflict> conflicts, String path) {
            List<Remote.Conflict> matching = conflicts.stream()
                    .filter(c -> c.copy().path().equals(path) || path.equals(c.original().path())).toList();
            if (matching.isEmpty()) {
                throw new CommandLine.ParameterException(cli, path + " is not part of an unresolved conflict "
                        + "(`cumulus status DIR` lists them)");
            }
            if (matching.size() > 1) {
                throw new CommandLine.ParameterException(cli, path + " has " + matching.size() + " unresolved conflicted copies; "
                        + "resolve each by its copy's path:" + matching.stream().map(c -> "\n  " + c.copy().path())
                        .collect(Collectors.joining()));
            }
            return matching.getFirst();
        }

        /** The side as the server names it; mine and theirs need exactly one side written by this device. */
        private static String serverSide(CommandLine cli, Keep keep, Remote.Conflict c, String deviceId) {
            boolean copyIsMine = deviceId.equals(c.copy().deviceId());
            boolean originalIsMine = deviceId.equals(c.original().deviceId());
            if ((keep == Keep.MINE || keep == Keep.THEIRS) && copyIsMine == originalIsMine) {
                throw new CommandLine.ParameterException(cli, (copyIsMine ? "both sides" : "neither side") + " of this conflict "
                        + (copyIsMine ? "were" : "was") + " last written by this device (the copy " + c.copy().path() + " by "
                        + c.copy().device() + ", the original " + c.original().path() + " by " + c.original().device()
                        + "), so '" + keep.name().toLowerCase(Locale.ROOT) + "' says nothing: use --keep copy or --keep original");
            }
            return switch (keep) {
                case MINE -> copyIsMine ? "copy" : "original";
                case THEIRS -> copyIsMine ? "original" : "copy";
                case BOTH -> "both";
                case COPY -> "copy";
                case ORIGINAL -> "original";
            };
        }

        /** Waits for the server to decide the resolution, then runs one sync round so the folder shows it. */
        private static void settleAndSync(Syncer syncer, String batchId) throws IOException {
            Remote.Batch batch = syncer.awaitOutcomes(batchId);
            syncer.syncOnce();
            List<String> refused = batch.outcomes().stream()
                    .filter(o -> o.kind() != Remote.Kind.APPLIED && o.kind() != Remote.Kind.DUPLICATE)
                    .map(o -> o.path() + " " + o.kind() + o.conflictPath().map(p -> " (kept as " + p + ")").orElse(""))
                    .toList();
            if (!refused.isEmpty()) {
                // Another device changed a side meanwhile; nothing is lost, but the conflict is not resolved as asked.
                throw new IllegalStateException("the server did not apply the resolution as asked (another device changed "
                        + "a side meanwhile?): " + String.join(", ", refused));
            }
        }
    }
}

package io.cumulus.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.cumulus.client.api.Remote;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.Syncer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Version history and the trash: {@code versions}, {@code restore}, {@code trash}, {@code undelete}. */
final class HistoryCommands {
    private HistoryCommands() {
    }

    /** A path inside a synced folder: the folder (the nearest one holding a state directory) and the path within it. */
    record Located(Path folder, String path) {
    }

    static Optional<Located> locate(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        for (Path dir = absolute.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(LocalState.STATE_DIR))) {
                return Optional.of(new Located(dir, FolderScanner.relativePath(dir, absolute)));
            }
        }
        return Optional.empty();
    }

    static Located requireLocated(CommandLine cli, Path file) {
        return locate(file).orElseThrow(() -> new CommandLine.ParameterException(cli, file + " is not inside a synced folder"));
    }

    /** The file id of a path: from the folder's sync state, else from the trash. */
    static String fileIdOf(CommandLine cli, ServerApi api, DeviceConfig device, Located at) {
        try (LocalState state = LocalState.open(at.folder())) {
            Optional<LocalState.SyncedFile> f = state.byPath(at.path());
            if (f.isPresent()) {
                return f.get().fileId();
            }
        }
        return api.trash(device.homeNamespace()).stream().filter(t -> t.path().equals(at.path())).findFirst()
                .map(Remote.TrashEntry::fileId)
                .orElseThrow(() -> new CommandLine.ParameterException(cli, at.path() + " is neither synced nor in the trash"));
    }

    /** Waits for the server to apply a restore, then runs one sync round so the file is here too. */
    static void settleAndSync(ServerApi api, DeviceConfig device, Path folder, String batchId) throws IOException {
        try (LocalState state = LocalState.open(folder)) {
            Syncer syncer = Syncer.forDevice(folder, device.homeNamespace(), device.deviceId(), api, state, ClientMain.Sync::say);
            Remote.Batch batch = syncer.awaitOutcomes(batchId);
            Remote.Outcome outcome = batch.outcomes().getFirst();
            if (outcome.kind() != Remote.Kind.APPLIED) {
                throw new IllegalStateException("the server did not apply the restore: " + outcome.kind());
            }
            syncer.syncOnce();
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true, description = "Lists the versions of a synced (or deleted) file, newest first.")
    static final class Versions implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "a file inside a synced folder")
        Path file;

        @Override
        public Integer call() {
            DeviceConfig device = main.device();
            ServerApi api = ClientMain.api(device);
            Located at = requireLocated(spec.commandLine(), file);
            List<Remote.Version> versions = api.versions(fileIdOf(spec.commandLine(), api, device, at));
            System.out.printf("%-8s  %-27s  %12s  %-20s  %s%n", "VERSION", "AT", "BYTES", "DEVICE", "PATH");
            for (Remote.Version v : versions) {
                System.out.printf("%-8d  %-27s  %12s  %-20s  %s%n", v.seq(), v.at(), v.delete() ? "deleted" : Long.toString(v.size()),
                        v.device(), v.path());
            }
            return 0;
        }
    }

    // No standard help mixin: its -V/--version would take the place of this command's --version.
    @Command(name = "restore",
            description = "Restores a version of a file (see `versions`) as a new change, which reaches every device.")
    static final class Restore implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "a file inside a synced folder")
        Path file;

        @Option(names = "--version", required = true, description = "the version to restore, as `versions` lists it")
        long version;

        @Override
        public Integer call() throws IOException {
            DeviceConfig device = main.device();
            ServerApi api = ClientMain.api(device);
            Located at = requireLocated(spec.commandLine(), file);
            String fileId = fileIdOf(spec.commandLine(), api, device, at);
            String batchId = ClientMain.whenTaken(() -> api.restore(fileId, version));
            settleAndSync(api, device, at.folder(), batchId);
            System.out.println("restored version " + version + " of " + at.path());
            return 0;
        }
    }

    @Command(name = "trash", mixinStandardHelpOptions = true, description = "Lists deleted files that can be brought back with `undelete`.")
    static final class Trash implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @Override
        public Integer call() {
            DeviceConfig device = main.device();
            List<Remote.TrashEntry> trash = ClientMain.api(device).trash(device.homeNamespace());
            System.out.printf("%-27s  %12s  %s%n", "DELETED", "BYTES", "PATH");
            for (Remote.TrashEntry t : trash) {
                System.out.printf("%-27s  %12d  %s%n", t.deletedAt(), t.size(), t.path());
            }
            return 0;
        }
    }

    @Command(name = "undelete", mixinStandardHelpOptions = true,
            description = "Brings a deleted file back (its last version), on every device.")
    static final class Undelete implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "where the file was, inside a synced folder")
        Path file;

        @Override
        public Integer call() throws IOException {
            DeviceConfig device = main.device();
            ServerApi api = ClientMain.api(device);
            Located at = requireLocated(spec.commandLine(), file);
            Remote.TrashEntry entry = api.trash(device.homeNamespace()).stream().filter(t -> t.path().equals(at.path())).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), at.path() + " is not in the trash"));
            String batchId = ClientMain.whenTaken(() -> api.restore(entry.fileId(), entry.version()));
            settleAndSync(api, device, at.folder(), batchId);
            System.out.println("undeleted " + at.path());
            return 0;
        }
    }
}

package io.cumulus.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.state.FolderLock;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.state.LocalState.SyncedFile;
import io.cumulus.client.sync.act.FolderAccess;
import io.cumulus.client.sync.evict.Evictor;
import io.cumulus.client.sync.evict.Fetcher;
import io.cumulus.client.sync.evict.Placeholder;
import io.cumulus.client.sync.evict.StorageLimit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Originals on demand: {@code fetch} brings evicted originals back, {@code open} fetches one if needed and opens it. */
final class OriginalsCommands {
    private OriginalsCommands() {
    }

    /** The synced folder holding {@code file} (the folder itself when it is one) and the path within it ("" for the folder). */
    static HistoryCommands.Located locate(CommandLine cli, Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute.resolve(LocalState.STATE_DIR))) {
            return new HistoryCommands.Located(absolute, "");
        }
        return HistoryCommands.requireLocated(cli, file);
    }

    /** The evicted files a path names: the file, its placeholder, or every evicted file under a folder. */
    static List<SyncedFile> named(CommandLine cli, LocalState state, HistoryCommands.Located at) {
        Map<String, LocalState.Evicted> evicted = state.evicted();
        String path = Placeholder.originalOf(at.path()).orElse(at.path());
        if (evicted.containsKey(path)) {
            return List.of(evicted.get(path).file());
        }
        List<SyncedFile> under = evicted.values().stream().map(LocalState.Evicted::file)
                .filter(f -> path.isEmpty() || f.path().startsWith(path + "/")).toList();
        if (!under.isEmpty() || Files.isDirectory(at.folder().resolve(path.isEmpty() ? "." : path))) {
            return under;
        }
        if (state.byPath(path).isPresent()) {
            return List.of();
        }
        throw new CommandLine.ParameterException(cli, at.path() + " is neither a synced file nor the placeholder of an evicted one in "
                + at.folder());
    }

    /** Fetches {@code files} in {@code folder}, then evicts others if the folder is now over its limit; the fetched records. */
    static List<SyncedFile> fetchAll(DeviceConfig device, Path folder, LocalState state, List<SyncedFile> files) throws IOException {
        // A sync round of the folder in another process waits, and this waits for one under way.
        try (FolderLock held = FolderLock.hold(folder)) {
            return fetchAllHeld(device, folder, state, files);
        }
    }

    private static List<SyncedFile> fetchAllHeld(DeviceConfig device, Path folder, LocalState state, List<SyncedFile> files)
            throws IOException {
        ServerApi api = ClientMain.api(device);
        FolderAccess access = new FolderAccess(folder);
        Fetcher fetcher = new Fetcher(access, state, api, Retry.defaults(), ClientMain.Sync::say, Clock.systemUTC());
        List<SyncedFile> fetched = new ArrayList<>();
        for (SyncedFile f : files) {
            fetched.add(fetcher.fetch(f));
        }
        Optional<StorageLimit> limit = StorageLimit.of(state);
        if (!fetched.isEmpty() && limit.isPresent()) {
            Set<String> keep = fetched.stream().map(SyncedFile::fileId).collect(Collectors.toSet());
            Evictor.Done done = new Evictor(access, state, ClientMain.Sync::say, Clock.systemUTC()).evict(limit.get(), keep);
            if (!done.evicted().isEmpty()) {
                System.out.println("over the optimize-storage limit of " + limit.get() + " after fetching: evicted "
                        + done.evicted().size() + " other file(s), least recently used first");
            }
            if (!done.fits() && done.bytesBefore() > 0) {
                System.out.println("the originals here (" + StorageLimit.human(done.bytesAfter()) + ") stay over the limit: what is "
                        + "left was fetched or opened within the last hour, is changed here, or is too small to evict");
            }
        }
        return fetched;
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Brings evicted originals back from the server (see `sync --optimize-storage`), each checked against its "
                    + "hash and put in place of its placeholder. PATH is the file, its placeholder (.NAME.cumulus-cloud), or a "
                    + "folder (everything evicted under it). When that puts the folder over its limit, other least recently used "
                    + "originals are evicted after.")
    static final class Fetch implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "files, placeholders or folders inside a synced folder")
        List<Path> paths;

        @Override
        public Integer call() throws IOException {
            DeviceConfig device = main.device();
            Map<Path, List<HistoryCommands.Located>> byFolder = new LinkedHashMap<>();
            for (Path p : paths) {
                HistoryCommands.Located at = locate(spec.commandLine(), p);
                byFolder.computeIfAbsent(at.folder(), k -> new ArrayList<>()).add(at);
            }
            int fetched = 0;
            for (Map.Entry<Path, List<HistoryCommands.Located>> folder : byFolder.entrySet()) {
                try (LocalState state = LocalState.open(folder.getKey())) {
                    Map<String, SyncedFile> wanted = new LinkedHashMap<>();
                    for (HistoryCommands.Located at : folder.getValue()) {
                        List<SyncedFile> named = named(spec.commandLine(), state, at);
                        if (named.isEmpty()) {
                            System.out.println("not evicted (already here): " + (at.path().isEmpty() ? folder.getKey() : at.path()));
                        }
                        named.forEach(f -> wanted.putIfAbsent(f.fileId(), f));
                    }
                    fetched += fetchAll(device, folder.getKey(), state, List.copyOf(wanted.values())).size();
                }
            }
            System.out.println("fetched " + fetched + " file(s)");
            return 0;
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
            description = "Opens a synced file with the system's opener (xdg-open, when there is a display), fetching its original "
                    + "first if it is evicted; without an opener, prints its path.")
    static final class Open implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "a file (or its placeholder) inside a synced folder")
        Path file;

        @Override
        public Integer call() throws IOException, InterruptedException {
            HistoryCommands.Located at = locate(spec.commandLine(), file);
            Path target;
            try (LocalState state = LocalState.open(at.folder())) {
                List<SyncedFile> named = named(spec.commandLine(), state, at);
                String path = Placeholder.originalOf(at.path()).orElse(at.path());
                if (path.isEmpty() || Files.isDirectory(at.folder().resolve(path)) || named.size() > 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), file + " is a folder; open takes a file");
                }
                if (!named.isEmpty()) {
                    fetchAll(main.device(), at.folder(), state, named);
                }
                state.byPath(path).ifPresent(f -> state.used(f.fileId(), Clock.systemUTC().instant()));
                target = at.folder().resolve(path);
            }
            if (!Files.isRegularFile(target)) {
                throw new CommandLine.ParameterException(spec.commandLine(), target + " is not a file here");
            }
            if (hasDisplay() && onPath("xdg-open")) {
                Process p = new ProcessBuilder("xdg-open", target.toString()).inheritIO().start();
                return p.waitFor() == 0 ? 0 : 1;
            }
            System.out.println(target);
            return 0;
        }

        private static boolean hasDisplay() {
            return System.getenv("DISPLAY") != null || System.getenv("WAYLAND_DISPLAY") != null;
        }

        private static boolean onPath(String command) {
            String path = System.getenv("PATH");
            if (path == null) {
                return false;
            }
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                    return true;
                }
            }
            return false;
        }
    }
}

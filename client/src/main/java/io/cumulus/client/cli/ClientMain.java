package io.cumulus.client.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Remote;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.config.DeviceConfig;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.Progress;
import io.cumulus.client.sync.Syncer;
import io.cumulus.client.sync.Watcher;
import io.cumulus.client.sync.evict.EvictionPlanner;
import io.cumulus.client.sync.share.MountBook;
import io.cumulus.client.sync.share.SharedFolders;
import io.cumulus.client.sync.evict.Evictor;
import io.cumulus.client.sync.evict.StorageLimit;
import io.cumulus.client.sync.plan.PushPlanner;
import io.cumulus.sync.path.SyncPath;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.json.JsonMapper;

/** The {@code cumulus} device client: log in, keep a folder in sync, show its status, manage devices. */
@Command(name = "cumulus", mixinStandardHelpOptions = true, version = "cumulus client 0.1.0",
        description = "Keeps a folder on this device in sync with a Cumulus server.",
        subcommands = {ClientMain.Login.class, ClientMain.Sync.class, ClientMain.Status.class, ClientMain.Devices.class,
                HistoryCommands.Versions.class, HistoryCommands.Restore.class, HistoryCommands.Trash.class,
                HistoryCommands.Undelete.class, ConflictCommands.Resolve.class, PhotoCommands.Photos.class,
                AlbumCommands.Album.class, PhotoCommands.Favourite.class, PhotoCommands.Unfavourite.class,
                OriginalsCommands.Fetch.class, OriginalsCommands.Open.class, AuditCommand.class,
                LinkCommands.Link.class, ShareCommands.Share.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success (for `sync --once`: the folder is in sync)",
                "1:failure: the server refused, or a file could not be read or written",
                "2:usage error",
                "3:not logged in (run `cumulus login`)",
                "4:`sync --once` ended before the folder was in sync (the server was unreachable or busy, say)"})
public final class ClientMain implements Runnable {
    static final int NOT_LOGGED_IN = 3;
    static final int NOT_IN_SYNC = 4;

    @Option(names = "--config-dir", scope = CommandLine.ScopeType.INHERIT, description = "where the device registration is kept "
            + "(default: $CUMULUS_CONFIG_DIR, $XDG_CONFIG_HOME/cumulus or ~/.config/cumulus)")
    Path configDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Its own name, so that it never competes with a server's logback.xml on one class path.
        System.setProperty("logback.configurationFile", "cumulus-client-logback.xml");
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new ClientMain());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof NotLoggedIn) {
                err.println("cumulus: " + e.getMessage());
                return NOT_LOGGED_IN;
            }
            err.println("cumulus: " + message(e));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    Path configDirectory() {
        return DeviceConfig.directory(Optional.ofNullable(configDir), System.getenv());
    }

    DeviceConfig device() {
        return DeviceConfig.load(configDirectory())
                .orElseThrow(() -> new NotLoggedIn("this device is not registered; run `cumulus login` first (config dir "
                        + configDirectory() + ")"));
    }

    /**
     * A request the server is asked once (a restore, a resolution): sent again while the server is
     * busy or briefly unavailable, telling the user once that it waits for a busy server.
     */
    static <T> T whenTaken(Supplier<T> request) {
        boolean[] said = {false};
        return Retry.defaults().call(request, (refusal, wait) -> {
            if (!said[0]) {
                said[0] = true;
                System.out.println("server busy (it is still processing earlier changes); waiting until it takes the request");
            }
        });
    }

    /** The server, as this device. */
    static ServerApi api(DeviceConfig device) {
        return ServerApi.device(device.server(), device.token());
    }

    static final class NotLoggedIn extends RuntimeException {
        NotLoggedIn(String message) {
            super(message);
        }
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Registers this device with an account and keeps its token (mode 600) in the config dir.")
    static final class Login implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @Option(names = "--server", defaultValue = "http://127.0.0.1:8080", description = "server URL (default: ${DEFAULT-VALUE})")
        URI server;

        @Option(names = "--user", required = true, description = "account name")
        String user;

        @Option(names = "--password", description = "the password (default: $CUMULUS_PASSWORD, else asked on the terminal)")
        String password;

        @Option(names = "--device-name", description = "how this device is named in conflicted copies (default: the host name)")
        String deviceName;

        @Override
        public Integer call() throws Exception {
            String pw = password != null ? password : System.getenv("CUMULUS_PASSWORD");
            if (pw == null && System.console() != null) {
                char[] typed = System.console().readPassword("Password for %s: ", user);
                pw = typed == null ? null : new String(typed);
            }
            if (pw == null || pw.isEmpty()) {
                throw new CommandLine.ParameterException(main.spec.commandLine(), "a password is needed: --password, $CUMULUS_PASSWORD or a terminal");
            }
            String name = deviceName != null ? deviceName : InetAddress.getLocalHost().getHostName();
            Remote.Registered r = ServerApi.anonymous(server).registerDevice(user, pw, name);
            DeviceConfig config = new DeviceConfig(server, user, r.accountId().toString(), r.deviceId().toString(), name, r.token(),
                    r.homeNamespace().toString());
            config.save(main.configDirectory());
            System.out.println("logged in as " + user + " on " + server + "; this device is " + name + " (" + r.deviceId() + ")");
            return 0;
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "Keeps DIR in sync: a first round, then on every local change, every push from the server, "
                    + "and every --interval as a fallback, until stopped (Ctrl-C). With --once: rounds until in sync, then exit.")
    static final class Sync implements Callable<Integer> {
        private static final boolean TERMINAL = System.console() != null;

        /** A log line with the time; on a terminal it first clears the progress line. */
        static void say(String line) {
            String time = java.time.LocalTime.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
            System.out.println((TERMINAL ? "\u001b[2K\r" : "") + time + " " + line);
        }

        @ParentCommand
        ClientMain main;

        @Parameters(paramLabel = "DIR", description = "the folder to keep in sync (created if missing)")
        Path dir;

        @Option(names = "--once", description = "sync until nothing changes, then exit (0 when in sync)")
        boolean once;

        @Option(names = "--interval", defaultValue = "30s", description = "fallback pull interval (default: ${DEFAULT-VALUE})",
                converter = DurationConverter.class)
        Duration interval;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--optimize-storage", paramLabel = "SIZE", description = "keep the originals in DIR under SIZE (500M, 2G, "
                + "1.5GiB; K, M, G, T count in 1024s, KB, MB, GB, TB in 1000s) by evicting the least recently used ones the "
                + "server holds, each replaced by a placeholder .NAME.cumulus-cloud (`cumulus fetch` brings it back); remembered "
                + "for DIR; `off` stops evicting (placeholders stay until fetched)")
        String optimizeStorage;

        @Option(names = {"-v", "--verbose"}, description = "say each round's correlation id, which the server's log lines "
                + "about its requests and batches carry (give it when reporting a problem)")
        boolean verbose;

        /** Gives the requests of the next round (or of a whole --once run) a correlation id of their own. */
        private void correlate(ServerApi api) {
            api.correlate(ServerApi.newCorrelationId());
            if (verbose) {
                say("correlation id " + api.correlationId().orElseThrow());
            }
        }

        @Override
        public Integer call() throws Exception {
            Optional<StorageLimit> limit = Optional.empty();
            if (optimizeStorage != null) {
                try {
                    limit = StorageLimit.parse(optimizeStorage); // refused before anything is changed
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--optimize-storage: " + e.getMessage());
                }
            }
            DeviceConfig device = main.device();
            Files.createDirectories(dir);
            ServerApi api = ClientMain.api(device);
            try (LocalState state = LocalState.open(dir)) {
                if (optimizeStorage != null) {
                    StorageLimit.remember(state, limit);
                    System.out.println(limit.map(l -> "optimize storage: originals in " + dir + " are kept under " + l)
                            .orElse("optimize storage: off (nothing more is evicted; placeholders stay until fetched)"));
                }
                Syncer home = Syncer.forDevice(dir, device.homeNamespace(), device.deviceId(), api, state, Sync::say);
                if (TERMINAL) {
                    home.withProgress(Progress.terminal(System.out));
                }
                // The home folder and every share mounted in it, each share by a syncer of its own (decision 0030).
                SharedFolders syncer = new SharedFolders(dir, device.deviceId(), api, state, home, Sync::say,
                        s -> TERMINAL ? s.withProgress(Progress.terminal(System.out)) : s);
                if (once) {
                    boolean inSync;
                    correlate(api);
                    try (syncer) {
                        inSync = syncer.syncUntilStable(10);
                    } catch (ApiException e) {
                        if (e.overQuota()) {
                            // A chunk refused at the quota: nothing was lost, the files stay here and wait for room.
                            System.out.println("over quota: " + e.getMessage());
                            inSync = false;
                        } else if (!e.retryable()) {
                            throw e;
                        } else {
                            // Busy or down, nothing was lost: what is waiting stays queued on disk and goes at the next sync.
                            System.out.println((e.busy() ? "server busy: " : "server unavailable: ") + e.getMessage());
                            inSync = false;
                        }
                    } catch (java.io.IOException | java.io.UncheckedIOException | IllegalStateException e) {
                        // A round that could not finish (an outcome not decided in time, a busy local state): what is
                        // waiting stays queued on disk and goes at the next sync.
                        System.out.println("could not finish: " + message(e));
                        inSync = false;
                    }
                    // Files the storage quota kept here are not in sync, however stable the rounds were.
                    if (state.skipped().stream().anyMatch(sk -> sk.side().equals("local")
                            && sk.reason().equals(io.cumulus.client.sync.act.BatchSender.OVER_QUOTA))) {
                        inSync = false;
                    }
                    // The round's push recorded what its scan passed over in the state: no second walk of the folder.
                    List<String> skipped = skippedLines(state, List.of());
                    if (!skipped.isEmpty()) {
                        System.out.println("skipped " + skipped.size() + " (see `cumulus status`):");
                        skipped.forEach(line -> System.out.println("  " + line));
                    }
                    System.out.println(inSync ? "in sync: " + dir + (skipped.isEmpty() ? "" : " (except what is skipped)")
                            : "not in sync yet: " + dir);
                    return inSync ? 0 : NOT_IN_SYNC;
                }
                System.out.println("syncing " + dir.toAbsolutePath() + " with " + device.server() + " (Ctrl-C to stop)");
                try (syncer; Watcher watcher = Watcher.start(dir, device, interval)) {
                    while (true) {
                        correlate(api);
                        try {
                            syncer.syncOnce();
                        } catch (ApiException e) {
                            if (!e.retryable() && !e.overQuota()) {
                                throw e;
                            }
                            System.out.println((e.busy() ? "server busy (" : "server unavailable (") + e.getMessage()
                                    + "); retrying later");
                        } catch (java.io.IOException | java.io.UncheckedIOException | IllegalStateException e) {
                            say("round not finished (" + message(e) + "); retrying at the next change");
                        }
                        watcher.awaitTrigger();
                    }
                }
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "What is waiting in DIR: local changes not yet sent, queued batches, conflicted copies, "
                    + "files that are skipped or not portable, and the last sync.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @Parameters(paramLabel = "DIR")
        Path dir;

        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        @Option(names = {"-v", "--verbose"}, description = "list every evicted file")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(dir.resolve(LocalState.STATE_DIR))) {
                throw new CommandLine.ParameterException(main.spec.commandLine(), dir + " has never been synced");
            }
            try (LocalState state = LocalState.open(dir)) {
                List<MountBook.Mount> mounts = MountBook.read(state);
                java.util.Set<String> mountPaths = new java.util.TreeSet<>();
                mounts.forEach(m -> mountPaths.add(m.path()));
                FolderScanner.Scan raw = FolderScanner.scan(dir, mountPaths);
                Map<String, LocalState.Evicted> evicted = state.evicted();
                FolderScanner.Scan scan = EvictionPlanner.withStandIns(raw, evicted.values().stream().map(LocalState.Evicted::file).toList());
                Map<String, LocalState.SyncedFile> synced = state.files();
                List<String> changed = PushPlanner.waiting(scan, synced);
                List<String> skipped = skippedLines(state, scan.skipped());
                List<String> nonPortable = new ArrayList<>();
                for (String p : scan.files().keySet()) {
                    try {
                        List<String> reasons = SyncPath.parse(p).nonPortableReasons();
                        if (!reasons.isEmpty()) {
                            nonPortable.add(p + " (" + String.join(", ", reasons) + ")");
                        }
                    } catch (IllegalArgumentException e) {
                        nonPortable.add(p + " (" + e.getMessage() + ")");
                    }
                }
                // Unresolved conflicts are the server's to say; status still reports the folder when it cannot be asked.
                List<Remote.Conflict> unresolved = List.of();
                String unresolvedUnknown = null;
                ServerApi.Usage usage = null;
                String usageUnknown = null;
                Optional<DeviceConfig> device = DeviceConfig.load(main.configDirectory());
                if (device.isEmpty()) {
                    unresolvedUnknown = "unknown: not logged in";
                } else {
                    try {
                        unresolved = ClientMain.api(device.get()).conflicts(device.get().homeNamespace());
                    } catch (ApiException e) {
                        unresolvedUnknown = "unknown: " + e.getMessage();
                    }
                    try {
                        usage = ClientMain.api(device.get()).usage();
                    } catch (ApiException e) {
                        usageUnknown = "unknown: " + e.getMessage();
                    }
                }
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("folder", dir.toAbsolutePath().toString());
                status.put("files", scan.files().size());
                status.put("pendingUploads", changed);
                status.put("queuedBatches", state.pending().size());
                status.put("serverBusySince", state.serverBusySince().map(Object::toString).orElse(null));
                status.put("unresolvedConflicts", unresolvedUnknown != null ? null
                        : unresolved.stream().map(ConflictCommands::json).toList());
                status.put("skipped", skippedJson(state, scan.skipped()));
                status.put("nonPortable", nonPortable);
                Optional<StorageLimit> limit = StorageLimit.of(state);
                long evictedBytes = evicted.values().stream().mapToLong(e -> e.file().size()).sum();
                List<String> strayPlaceholders = Evictor.unreadable(raw, evicted);
                Map<String, Object> storage = new LinkedHashMap<>();
                storage.put("limitBytes", limit.map(StorageLimit::bytes).orElse(null));
                storage.put("originalsBytes", raw.files().values().stream().mapToLong(FolderScanner.LocalFile::size).sum());
                storage.put("evictedFiles", evicted.size());
                storage.put("evictedBytes", evictedBytes);
                storage.put("evicted", List.copyOf(evicted.keySet()));
                storage.put("placeholdersNotUnderstood", strayPlaceholders);
                status.put("optimizeStorage", storage);
                status.put("storageUsage", usage == null ? null
                        : Map.of("usedBytes", usage.usedBytes(), "quotaBytes", usage.quotaBytes()));
                status.put("lastSeq", state.lastSeq());
                status.put("lastSync", state.lastSync().map(Object::toString).orElse(null));
                List<Map<String, Object>> shares = ShareStatus.of(dir, mounts);
                status.put("shares", shares);
                if (json) {
                    System.out.println(JsonMapper.builder().build().writeValueAsString(status));
                } else {
                    System.out.println("folder:          " + status.get("folder"));
                    System.out.println("files:           " + scan.files().size());
                    System.out.println("last sync:       " + state.lastSync().map(Object::toString).orElse("never"));
                    System.out.println("pending uploads: " + changed.size() + (changed.isEmpty() ? "" : " " + changed));
                    System.out.println("queued batches:  " + state.pending().size() + state.serverBusySince()
                            .map(since -> " (the server has been busy since " + since + "; they go when it takes them)")
                            .orElse(""));
                    if (unresolvedUnknown != null) {
                        System.out.println("unresolved conflicts: " + unresolvedUnknown);
                    } else {
                        System.out.println("unresolved conflicts: " + unresolved.size()
                                + (unresolved.isEmpty() ? "" : " (`cumulus resolve PATH --keep mine|theirs|both`)"));
                        for (Remote.Conflict c : unresolved) {
                            ConflictCommands.describe(c).forEach(line -> System.out.println("  " + line));
                        }
                    }
                    System.out.println("skipped:         " + skipped.size());
                    skipped.forEach(line -> System.out.println("  " + line));
                    System.out.println("not portable:    " + nonPortable.size() + (nonPortable.isEmpty() ? "" : " " + nonPortable));
                    System.out.println("storage:         " + (usage == null ? usageUnknown
                            : StorageLimit.human(usage.usedBytes()) + " of " + StorageLimit.human(usage.quotaBytes()) + " used"
                            + (usage.usedBytes() >= usage.quotaBytes() ? " (over quota: new files are not sent)" : "")));
                    System.out.println("optimize storage: " + limit.map(StorageLimit::toString).orElse("off") + "; originals here: "
                            + StorageLimit.human((Long) storage.get("originalsBytes")));
                    System.out.println("evicted:         " + evicted.size() + " file(s), " + StorageLimit.human(evictedBytes)
                            + (evicted.isEmpty() ? "" : " (`cumulus fetch PATH` brings one back" + (verbose ? ")" : "; -v lists them)")));
                    if (verbose) {
                        evicted.keySet().forEach(p -> System.out.println("  " + p));
                    }
                    if (!strayPlaceholders.isEmpty()) {
                        System.out.println("placeholders that stand for no evicted file (left alone): " + strayPlaceholders);
                    }
                    System.out.println("shared folders:  " + shares.size());
                    ShareStatus.lines(shares).forEach(line -> System.out.println("  " + line));
                }
                return 0;
            }
        }
    }

    /** Everything not synced for now: entries from the server not written here, and local entries not sent, with why. */
    static List<Map<String, Object>> skippedJson(LocalState state, List<FolderScanner.Skipped> scanned) {
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        for (LocalState.Skipped s : state.skipped()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", s.path());
            m.put("side", s.side().equals("remote") ? "from-server" : "to-server");
            m.put("reason", s.reason());
            m.put("since", s.since().toString());
            if (s.side().equals("remote")) {
                m.put("fileId", s.id());
            }
            all.put(s.side() + "\n" + s.path(), m);
        }
        for (FolderScanner.Skipped s : scanned) {
            all.computeIfAbsent("local\n" + s.path(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", s.path());
                m.put("side", "to-server");
                m.put("reason", s.reason());
                return m;
            });
        }
        return new ArrayList<>(all.values());
    }

    static List<String> skippedLines(LocalState state, List<FolderScanner.Skipped> scanned) {
        return skippedJson(state, scanned).stream().map(m -> m.get("path") + " ("
                + (m.get("side").equals("from-server") ? "not written here" : "not sent") + ": " + m.get("reason") + ")").toList();
    }

    @Command(name = "devices", mixinStandardHelpOptions = true, description = "Lists this account's devices; `devices revoke ID` revokes one.")
    static final class Devices implements Callable<Integer> {
        @ParentCommand
        ClientMain main;

        @Parameters(arity = "0..2", paramLabel = "revoke ID", description = "revoke the device with this id")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            DeviceConfig device = main.device();
            ServerApi api = ClientMain.api(device);
            if (!args.isEmpty()) {
                if (args.size() != 2 || !args.get(0).equals("revoke")) {
                    throw new CommandLine.ParameterException(main.spec.commandLine(), "usage: cumulus devices [revoke ID]");
                }
                api.revokeDevice(args.get(1));
                System.out.println("revoked " + args.get(1));
                return 0;
            }
            for (Remote.Device d : api.devices()) {
                System.out.printf("%s  %-20s  %s%s%s%n", d.deviceId(), d.name(), d.createdAt(), d.revoked() ? "  revoked" : "",
                        d.deviceId().equals(device.deviceId()) ? "  (this device)" : "");
            }
            return 0;
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.parse(value);
        }
    }
}

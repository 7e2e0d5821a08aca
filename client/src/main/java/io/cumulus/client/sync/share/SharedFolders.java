package io.cumulus.client.sync.share;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.cumulus.client.api.ApiException;
import io.cumulus.client.api.Retry;
import io.cumulus.client.api.ServerApi;
import io.cumulus.client.api.Shares;
import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.FolderLock;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.Syncer;
import io.cumulus.client.sync.plan.Mounts;

/**
 * A synced folder with the shares mounted in it (decision 0030): each round asks the server which
 * shares the account is a member of and where each is mounted, syncs every mount with a syncer of
 * its own (the share's namespace at {@code DIR/mountPath}, its state beside the home folder's),
 * then the home folder, which leaves the mounts alone and deletes its copy of a file only once a
 * mount holds it. A share the account left or was removed from is detached: its files stay, it
 * stops syncing, and home still leaves its folder alone. One mount that fails never stops the
 * others or the home folder.
 */
public final class SharedFolders implements AutoCloseable {
    private final Path dir;
    private final ServerApi api;
    private final LocalState home;
    private final Syncer homeSyncer;
    private final Consumer<String> log;
    private final UnaryOperator<Syncer> configure;
    private final Map<String, LocalState> states = new HashMap<>();
    private final String deviceId;
    private boolean mountFailed;

    /**
     * {@code homeSyncer} keeps {@code dir} and the home namespace; {@code configure} is applied to
     * every mount's syncer (progress reporting, say).
     */
    public SharedFolders(Path dir, String deviceId, ServerApi api, LocalState home, Syncer homeSyncer, Consumer<String> log,
                         UnaryOperator<Syncer> configure) {
        this.dir = dir.toAbsolutePath().normalize();
        this.deviceId = deviceId;
        this.api = api;
        this.home = home;
        this.homeSyncer = homeSyncer;
        this.log = log;
        this.configure = configure;
    }

    /** What a round did, home and mounts together. */
    public record Round(int pushed, int downloaded, int deletedLocally, int conflicts, boolean mountFailed) {
        public boolean changedAnything() {
            return pushed + downloaded + deletedLocally + conflicts > 0;
        }
    }

    /** One round: the mounts first, then the home folder. */
    public Round syncOnce() throws IOException {
        try (FolderLock held = FolderLock.hold(dir)) {
            mountFailed = false;
            List<MountBook.Mount> mounts = refresh();
            int[] totals = new int[4];
            for (MountBook.Mount m : mounts) {
                if (!m.detached()) {
                    syncMount(m, totals);
                }
            }
            Syncer.Round r = homeSyncer.excluding(view(MountBook.read(home))).syncOnce();
            add(totals, r);
            return new Round(totals[0], totals[1], totals[2], totals[3], mountFailed);
        }
    }

    /**
     * Rounds until one changes nothing, no edit waits for a merge and every mount synced (at most
     * {@code maxRounds}); true when the folder and its mounts are in sync.
     */
    public boolean syncUntilStable(int maxRounds) throws IOException {
        long pause = 100;
        for (int i = 0; i < maxRounds; i++) {
            Round round = syncOnce();
            boolean merging = !home.awaitingMerge().isEmpty() || states.values().stream().anyMatch(s -> !s.awaitingMerge().isEmpty());
            if (!round.changedAnything() && !merging && !round.mountFailed()) {
                return true;
            }
            if (!round.changedAnything()) {
                try {
                    Thread.sleep(pause); // a merge on the server, or a mount's server call, to be tried again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the server", e);
                }
                pause = Math.min(2_000, pause * 2);
            }
        }
        return false;
    }

    /** The mounts after asking the server; as last recorded when it cannot be asked (they stay out of home all the same). */
    private List<MountBook.Mount> refresh() {
        List<MountBook.Mount> recorded = MountBook.read(home);
        Shares.Listing listing;
        try {
            listing = Retry.defaults().call(api::shares);
        } catch (ApiException e) {
            if (e.retryable() || e.unauthorized()) {
                throw e;
            }
            log.accept("cannot list the shares (" + e.getMessage() + "); the mounts stay as they were");
            return recorded;
        }
        List<MountBook.Mount> now = MountBook.reconcile(recorded, listing.shares());
        for (MountBook.Mount m : now) {
            boolean wasMounted = recorded.stream().anyMatch(r -> r.shareId().equals(m.shareId()) && !r.detached()
                    && r.path().equals(m.path()));
            if (m.detached() && recorded.stream().anyMatch(r -> r.shareId().equals(m.shareId()) && !r.detached()
                    && r.path().equals(m.path()))) {
                log.accept("detached: no longer a member of " + m.name() + "; its files at " + m.path() + " are left as they were");
            } else if (!m.detached() && !wasMounted) {
                log.accept("mounted the share " + m.name() + " at " + m.path() + (m.readOnly() ? " (read-only)" : ""));
            }
        }
        MountBook.write(home, now);
        return now;
    }

    private void syncMount(MountBook.Mount m, int[] totals) {
        try {
            Path root = dir.resolve(m.path());
            Files.createDirectories(root);
            Consumer<String> mountLog = line -> log.accept("[" + m.name() + "] " + (m.readOnly() ? readOnlyWording(line) : line));
            Syncer syncer = configure.apply(Syncer.forDevice(root, m.shareId(), deviceId, api, state(m.shareId()), mountLog)
                    .lockingAs(dir)
                    .readOnly(m.readOnly() ? "read-only share " + m.name() : null));
            add(totals, syncer.syncOnce());
        } catch (ApiException e) {
            if (e.status() == 404 || e.status() == 403) {
                if (stillMember(m)) {
                    // A role changed under the round (an editor now a viewer, say): the next round knows.
                    log.accept("[" + m.name() + "] refused (" + e.getMessage() + "); tried again next round");
                    mountFailed = true;
                } else {
                    MountBook.write(home, MountBook.detach(MountBook.read(home), m.shareId()));
                    log.accept("detached: no longer a member of " + m.name() + "; its files at " + m.path() + " are left as they were");
                }
                return;
            }
            if (e.unauthorized()) {
                throw e;
            }
            mountFailed = true;
            log.accept("[" + m.name() + "] round not finished (" + e.getMessage() + "); tried again next round");
        } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
            mountFailed = true;
            log.accept("[" + m.name() + "] round not finished (" + e.getMessage() + "); tried again next round");
        }
    }

    /** A viewer's local edit is kept, never sent: the planner's words for an editor's folder would promise otherwise. */
    private static String readOnlyWording(String line) {
        return line.replace("; this version is sent too", "; the edit here is kept and not sent (read-only share)");
    }

    /** Whether the server still lists the share among the account's (unknown counts as yes: nothing is detached on a guess). */
    private boolean stillMember(MountBook.Mount m) {
        try {
            return api.shares().shares().stream().anyMatch(s -> s.shareId().equals(m.shareId()));
        } catch (ApiException e) {
            return true;
        }
    }

    private LocalState state(String shareId) {
        return states.computeIfAbsent(shareId, id -> LocalState.openShare(dir, id));
    }

    /** The mounts as the home syncer needs them: each member mount's records and the files in its folder now. */
    private Mounts view(List<MountBook.Mount> mounts) throws IOException {
        List<Mounts.Mount> view = new ArrayList<>();
        for (MountBook.Mount m : mounts) {
            if (m.detached()) {
                view.add(Mounts.Mount.detached(m.path()));
                continue;
            }
            Path root = dir.resolve(m.path());
            Map<String, FolderScanner.LocalFile> onDisk = Files.isDirectory(root) ? FolderScanner.scan(root).files() : Map.of();
            view.add(new Mounts.Mount(m.path(), true, new TreeMap<>(state(m.shareId()).files()), onDisk));
        }
        return new Mounts(view);
    }

    private static void add(int[] totals, Syncer.Round r) {
        totals[0] += r.pushed();
        totals[1] += r.downloaded();
        totals[2] += r.deletedLocally();
        totals[3] += r.conflicts();
    }

    @Override
    public void close() {
        states.values().forEach(LocalState::close);
        states.clear();
    }
}

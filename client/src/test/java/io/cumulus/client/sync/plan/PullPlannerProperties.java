package io.cumulus.client.sync.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.cumulus.client.scan.LocalTree;
import io.cumulus.client.state.LocalState.SyncedFile;

/**
 * The planner over arbitrary folders (files, folders, symbolic links, special files, case-folding
 * disks) and arbitrary server entries, hostile ones included: it never targets a path outside the
 * folder or through a link, never replaces or deletes content the server does not hold, and gives
 * every entry an action of its own.
 */
class PullPlannerProperties {
    private static final List<String> SEGMENTS = List.of("a", "A", "b", "x", "doc.txt", "Doc.TXT", "l", "n".repeat(256), "..", ".",
            ".cumulus", ".Cumulus", ".cumulus-tmp-1", ".cumulusdir", "é", "e\u0301");

    /** A scenario: the folder as scanned, this device's records, and what the server sends. */
    record Scenario(LocalTree tree, Map<String, SyncedFile> records, List<RemoteEntry> entries) {
    }

    @Property(tries = 600)
    void thePlanNeverLeavesTheFolderNorGoesThroughALink(@ForAll("scenarios") Scenario s) {
        List<Action> plan = PullPlanner.plan(RemoteEntry.latestPerFile(s.entries()), s.tree(), s.records(), PlanFixtures.NAMES);
        for (Action a : plan) {
            for (String target : writtenPaths(a)) {
                assertThat(PlanFixtures.NAMES.problem(target)).as("%s writes a path it may not: %s", a, target).isEmpty();
                assertThat(target).doesNotStartWith("/").doesNotContain("..");
                for (String prefix : properPrefixes(target)) {
                    s.tree().at(prefix).ifPresent(e -> assertThat(e.kind()).as("%s goes through %s", a, e)
                            .isIn(LocalTree.Kind.DIRECTORY, LocalTree.Kind.FILE));
                }
                s.tree().at(target).ifPresent(e -> assertThat(e.kind()).as("%s writes over %s", a, e)
                        .isNotIn(LocalTree.Kind.LINK, LocalTree.Kind.OTHER));
            }
        }
    }

    @Property(tries = 600)
    void thePlanNeverReplacesOrDeletesContentTheServerDoesNotHold(@ForAll("scenarios") Scenario s) {
        List<Action> plan = PullPlanner.plan(RemoteEntry.latestPerFile(s.entries()), s.tree(), s.records(), PlanFixtures.NAMES);
        Set<String> freed = new HashSet<>();
        Set<String> written = new HashSet<>();
        for (Action a : plan) {
            switch (a) {
                case Action.DeleteLocal d -> assertHeld(s, d.known().path(), written);
                case Action.Move m -> {
                    assertHeld(s, m.from().path(), written);
                    assertFree(s, m.entry().path(), freed, written, m);
                    freed.add(key(s, m.from().path()));
                }
                case Action.Download d -> {
                    if (d.replaces() != null) {
                        assertHeld(s, d.replaces().path(), written);
                    } else {
                        assertFree(s, d.entry().path(), freed, written, d);
                    }
                    if (d.previous() != null) {
                        assertHeld(s, d.previous().path(), written);
                        freed.add(key(s, d.previous().path()));
                    }
                }
                default -> {
                }
            }
            if (a instanceof Action.DeleteLocal d) {
                freed.add(key(s, d.known().path()));
            }
            writtenPaths(a).forEach(p -> written.add(key(s, p)));
        }
    }

    @Property(tries = 600)
    void everyEntryGetsItsOwnActionWhateverTheOthersAre(@ForAll("scenarios") Scenario s) {
        List<RemoteEntry> latest = RemoteEntry.latestPerFile(s.entries());
        List<Action> plan = PullPlanner.plan(latest, s.tree(), s.records(), PlanFixtures.NAMES);
        assertThat(plan).hasSameSizeAs(latest);
        for (int i = 0; i < plan.size(); i++) {
            assertThat(plan.get(i).fileId()).isEqualTo(latest.get(i).fileId());
        }
    }

    @Property(tries = 600)
    void anEvictedFileIsNeverMovedDeletedOrReplacedAsIfItsOriginalWereOnDisk(@ForAll("scenarios") Scenario s) {
        // given the unchanged synced files evicted (each stands in the scan as it was synced)
        Set<String> evicted = new HashSet<>();
        Set<String> evictedInodes = new HashSet<>();
        for (SyncedFile r : s.records().values()) {
            LocalTree.Entry there = s.tree().at(r.path()).orElseThrow();
            if (there.size() == r.size()) {
                evicted.add(r.fileId());
                evictedInodes.add(r.inode());
            }
        }

        // when the server's entries are planned
        List<Action> plan = PullPlanner.plan(RemoteEntry.latestPerFile(s.entries()), s.tree(), s.records(), PlanFixtures.NAMES, evicted);

        // then only their placeholders are moved, rewritten or removed, always at a path the client may write
        assertThat(plan).hasSameSizeAs(RemoteEntry.latestPerFile(s.entries()));
        for (Action a : plan) {
            switch (a) {
                case Action.DeleteLocal d -> assertThat(evicted).as("%s", a).doesNotContain(d.fileId());
                case Action.Move m -> assertThat(evicted).as("%s", a).doesNotContain(m.fileId());
                case Action.Download d -> {
                    if (d.replaces() != null) {
                        assertThat(evictedInodes).as("%s replaces an evicted file's stand-in", a).doesNotContain(d.replaces().inode());
                    }
                }
                case Action.StayEvicted st -> {
                    assertThat(evicted).contains(st.fileId());
                    assertThat(PlanFixtures.NAMES.problem(st.entry().path())).as("%s", a).isEmpty();
                    for (String prefix : properPrefixes(st.entry().path())) {
                        s.tree().at(prefix).ifPresent(e -> assertThat(e.kind()).as("%s goes through %s", a, e)
                                .isIn(LocalTree.Kind.DIRECTORY, LocalTree.Kind.FILE));
                    }
                }
                case Action.RemovePlaceholder r -> assertThat(evicted).contains(r.fileId());
                default -> {
                }
            }
        }
    }

    /** The file at {@code path} is one the server holds: synced and unchanged, or written by this plan. */
    private static void assertHeld(Scenario s, String path, Set<String> written) {
        if (written.contains(key(s, path))) {
            return;
        }
        LocalTree.Entry there = s.tree().at(path).orElse(null);
        if (there == null) {
            return; // nothing there: nothing to lose
        }
        SyncedFile record = s.records().values().stream().filter(r -> key(s, r.path()).equals(key(s, there.path()))).findFirst()
                .orElse(null);
        assertThat(record).as("%s is replaced or deleted but was never synced here", path).isNotNull();
        assertThat(there.kind() == LocalTree.Kind.FILE && there.size() == record.size() && there.mtimeNanos() == record.mtimeNanos()
                && Objects.equals(there.inode(), record.inode())).as("%s changed here since it was synced", path).isTrue();
    }

    private static void assertFree(Scenario s, String path, Set<String> freed, Set<String> written, Action a) {
        LocalTree.Entry there = s.tree().at(path).orElse(null);
        if (there == null || freed.contains(key(s, path)) || written.contains(key(s, path))) {
            return;
        }
        assertThat(there.kind()).as("%s writes over %s", a, there).isEqualTo(LocalTree.Kind.FILE);
        assertHeld(s, path, written);
    }

    private static List<String> writtenPaths(Action a) {
        return switch (a) {
            case Action.Download d -> List.of(d.entry().path());
            case Action.Move m -> List.of(m.entry().path());
            case Action.MakeFolder m -> m.folder().isEmpty() ? List.of() : List.of(m.folder());
            default -> List.of();
        };
    }

    private static List<String> properPrefixes(String path) {
        List<String> prefixes = new ArrayList<>();
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            prefixes.add(path.substring(0, i));
        }
        return prefixes;
    }

    private static String key(Scenario s, String path) {
        return s.tree().caseInsensitive() ? io.cumulus.sync.path.PathKey.of(path).value() : path;
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<String> path = SEGMENTS.isEmpty() ? null : Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(3)
                .map(segments -> String.join("/", segments));
        Arbitrary<String> hostilePath = Arbitraries.oneOf(path, Arbitraries.of("/abs", "", "a//b", "a/", "../../etc/passwd",
                "a/.cumulusdir", ".cumulusdir"));
        Arbitrary<List<Local>> locals = Combinators.combine(path, Arbitraries.of(LocalTree.Kind.values()))
                .as(Local::new).list().ofMaxSize(8);
        Arbitrary<List<Remote>> remotes = Combinators.combine(Arbitraries.integers().between(0, 5), hostilePath,
                Arbitraries.integers().between(0, 9), Arbitraries.integers().between(1, 4), Arbitraries.integers().between(0, 2))
                .as(Remote::new).list().ofMaxSize(10);
        return Combinators.combine(Arbitraries.of(false, true), locals, remotes, Arbitraries.integers().between(0, 1 << 10))
                .as(PullPlannerProperties::scenario);
    }

    private record Local(String path, LocalTree.Kind kind) {
    }

    /** {@code shape}: 0-6 an upsert, 7-8 a delete, 9 a copy being merged; {@code content}: 0-2. */
    private record Remote(int file, String path, int shape, int counter, int content) {
    }

    private static Scenario scenario(boolean caseInsensitive, List<Local> locals, List<Remote> remotes, int recordBits) {
        LocalTree tree = new LocalTree(caseInsensitive);
        int inode = 1;
        for (Local l : locals) {
            if (PlanFixtures.NAMES.problem(l.path()).isPresent() || tree.blockingAncestor(l.path()).isPresent()
                    || tree.at(l.path()).isPresent()) {
                continue; // a disk holds no such entry
            }
            switch (l.kind()) {
                case FILE -> tree.putFile(LocalTree.Entry.file(l.path(), 5, 500, "i" + inode++));
                case DIRECTORY -> tree.putFolder(l.path());
                case LINK, OTHER -> {
                    int slash = l.path().lastIndexOf('/');
                    if (slash > 0) {
                        tree.putFolder(l.path().substring(0, slash));
                    }
                    tree.put(new LocalTree.Entry(l.path(), l.kind(), 0, 0, null));
                }
            }
        }
        // Records: some files synced unchanged, some edited since, and one or two for files gone from disk.
        Map<String, SyncedFile> records = new TreeMap<>();
        int bit = 0;
        List<LocalTree.Entry> files = tree.entries().stream().filter(e -> e.kind() == LocalTree.Kind.FILE)
                .sorted(java.util.Comparator.comparing(LocalTree.Entry::path)).toList();
        for (LocalTree.Entry f : files) {
            int choice = (recordBits >> (bit++ % 10)) & 3;
            if (choice == 0) {
                continue;
            }
            long size = choice == 3 ? f.size() + 1 : f.size(); // 3: edited here since
            records.put(f.path(), new SyncedFile(f.path(), "f" + (records.size() % 6), PlanFixtures.v(PlanFixtures.HERE, 1),
                    PlanFixtures.content("c" + choice), size, f.mtimeNanos(), f.inode(), 1));
        }
        // one id per record at most
        Map<String, SyncedFile> byId = new TreeMap<>();
        records.values().forEach(r -> byId.putIfAbsent(r.fileId(), r));
        Map<String, SyncedFile> unique = new TreeMap<>();
        byId.values().forEach(r -> unique.put(r.path(), r));
        List<RemoteEntry> entries = new ArrayList<>();
        long seq = 1;
        for (Remote r : remotes) {
            String id = "f" + r.file();
            var vector = PlanFixtures.v(PlanFixtures.THERE, r.counter());
            if (r.shape() >= 7 && r.shape() <= 8) {
                entries.add(PlanFixtures.delete(seq++, id, r.path(), vector));
            } else {
                entries.add(new RemoteEntry(seq++, id, r.path(), false, vector, PlanFixtures.content("c" + r.content()), r.shape() == 9));
            }
        }
        return new Scenario(tree, unique, entries);
    }
}

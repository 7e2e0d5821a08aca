package io.cumulus.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import io.cumulus.schemas.FileEvent;
import io.cumulus.sync.path.PathKey;

/**
 * Three devices edit, create, delete and rename a handful of colliding paths ({@code a.txt} and
 * {@code A.txt}, {@code é.txt} in NFC and NFD, an office document), pushing and pulling in any order
 * through the real reconciler topology; then every device syncs until nothing moves. Whatever the
 * interleaving, nothing a person wrote is lost, every device ends with the server's tree, and the same
 * batches through a fresh reconciler give the same bytes. The devices are {@link SimulatedDevice}s,
 * which follow the client's contract; where they knowingly differ from today's client, it says so.
 */
class InterleavingProperties {
    static final List<BatchBuilder.Device> DEVICES = List.of(BatchBuilder.LAPTOP, BatchBuilder.PHONE,
            new BatchBuilder.Device("dev-tablet", "Tablet"));
    /** Colliding names (by case, by Unicode normalisation), and an office document (last writer wins). */
    static final List<String> PATHS = List.of("a.txt", "A.txt", "b.txt", "\u00e9.txt", "e\u0301.txt", "c.docx");
    private static final List<String> START_PATHS = List.of("a.txt", "c.docx");
    /** The content every "same content" create writes: two devices saving the same file at the same path. */
    static final Content SHARED = Content.of("shared");
    private static final int MAX_SETTLE_ROUNDS = 10;
    private static final AtomicInteger RUNS = new AtomicInteger();
    /**
     * One topology for every run, each run in a namespace of its own, and a second one that replays each
     * run: starting a driver costs more than a run, and a reconciler's state is all keyed by namespace.
     */
    private static ReconcilerDriver liveDriver;
    private static ReconcilerDriver replayDriver;
    private static List<Path> stateDirs;

    static {
        // The reconciler logs every conflict at info; thousands of runs would drown the test report.
        System.setProperty("org.slf4j.simpleLogger.log.io.cumulus.reconciler", "warn");
    }

    @BeforeContainer
    static void startDrivers() {
        stateDirs = List.of(RecordedReconciler.temporaryStateDir(), RecordedReconciler.temporaryStateDir());
        liveDriver = new ReconcilerDriver(stateDirs.get(0));
        replayDriver = new ReconcilerDriver(stateDirs.get(1));
    }

    @AfterContainer
    static void stopDrivers() {
        liveDriver.close();
        replayDriver.close();
        stateDirs.forEach(RecordedReconciler::deleteRecursively);
    }

    /** One step of an interleaving: something a person does on a device, or a device syncing one way. */
    sealed interface Step {
        int device();

        default String who() {
            return DEVICES.get(device()).name();
        }
    }

    record Create(int device, int path, boolean sameContent) implements Step {
        @Override
        public String toString() {
            return who() + " creates " + PATHS.get(path) + (sameContent ? " with the shared content" : "");
        }
    }

    record Edit(int device, int file) implements Step {
        @Override
        public String toString() {
            return who() + " edits its file #" + file;
        }
    }

    record Delete(int device, int file) implements Step {
        @Override
        public String toString() {
            return who() + " deletes its file #" + file;
        }
    }

    record Rename(int device, int file, int path) implements Step {
        @Override
        public String toString() {
            return who() + " renames its file #" + file + " to " + PATHS.get(path);
        }
    }

    record Push(int device) implements Step {
        @Override
        public String toString() {
            return who() + " pushes";
        }
    }

    /** The relay delivers the device's last batch again (at least once): the reconciler must ignore it. */
    record Redeliver(int device) implements Step {
        @Override
        public String toString() {
            return "the relay delivers " + who() + "'s last batch again";
        }
    }

    record Pull(int device) implements Step {
        @Override
        public String toString() {
            return who() + " pulls";
        }
    }

    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)
    void devicesSyncingInAnyOrderLoseNothingAndConverge(@ForAll @IntRange(max = 2) int filesInSync,
            @ForAll("interleavings") List<Step> steps) {
        // given three devices in sync on a few files, and any interleaving of local changes, pushes and pulls
        Interleaving run = new Interleaving();
        run.startInSync(filesInSync);
        for (int i = 0; i < steps.size(); i++) {
            run.perform(steps.get(i), i);
        }

        // when every device syncs until nothing moves
        run.settle();
        run.server.verdicts().forEach(v -> Statistics.label("outcomes").collect(v));

        // then nothing the server acknowledged, nor anything a person wrote and did not discard, is lost
        // (content a device held after a push is one or the other; it may be live or only in the history)
        Set<Content> history = run.server.contentInHistory();
        assertThat(history).as("acknowledged content in history%n%s", run).containsAll(run.server.acknowledged());
        assertThat(history).as("written and not discarded content in history%n%s", run).containsAll(run.mustSurvive());

        // and every device holds exactly the server's live tree, where no two paths collide
        Map<String, Content> serverTree = run.server.liveTree();
        for (SimulatedDevice device : run.devices) {
            assertThat(device.tree()).as("%s's tree%n%s", device.name(), run).isEqualTo(serverTree);
        }
        Set<PathKey> keys = serverTree.keySet().stream().map(PathKey::of).collect(Collectors.toSet());
        assertThat(keys).as("live path keys%n%s", run).hasSameSizeAs(serverTree.keySet());
        assertThat(run.server.history()).extracting(FileEvent::getSeq).as("event numbering")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, run.server.lastSeq()).boxed().toList());

        // and the same batches through a reconciler that never saw the namespace give the same bytes
        if (!run.server.batches().isEmpty()) {
            assertThat(RecordedReconciler.replay(replayDriver, run.server.batches())).as("replayed output")
                    .isEqualTo(run.server.outputBytes());
        }
    }

    @Provide
    Arbitrary<List<Step>> interleavings() {
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES.size() - 1);
        Arbitrary<Integer> path = Arbitraries.integers().between(0, PATHS.size() - 1);
        Arbitrary<Integer> file = Arbitraries.integers().between(0, 3);
        Arbitrary<Boolean> sameContent = Arbitraries.integers().between(0, 3).map(n -> n == 0);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(device, path, sameContent).as(Create::new)),
                Tuple.of(4, Combinators.combine(device, file).as(Edit::new)),
                Tuple.of(2, Combinators.combine(device, file).as(Delete::new)),
                Tuple.of(2, Combinators.combine(device, file, path).as(Rename::new)),
                Tuple.of(4, device.map(Push::new)),
                Tuple.of(4, device.map(Pull::new)),
                Tuple.of(1, device.map(Redeliver::new)));
        return step.list().ofMinSize(1).ofMaxSize(25).withSizeDistribution(RandomDistribution.uniform());
    }

    /** One run: the devices, the reconciler, and the content people wrote and threw away themselves. */
    static final class Interleaving {
        final RecordedReconciler server = new RecordedReconciler(liveDriver, "ns-" + RUNS.incrementAndGet());
        final List<SimulatedDevice> devices = DEVICES.stream().map(SimulatedDevice::new).toList();
        private final Set<Content> written = new HashSet<>();
        private final Set<Content> discardedUnsaved = new HashSet<>();
        private final StringBuilder log = new StringBuilder();

        /** The laptop creates the first {@code count} paths and every device syncs them. */
        void startInSync(int count) {
            for (int i = 0; i < count; i++) {
                Content content = Content.of("start" + i);
                devices.getFirst().create(START_PATHS.get(i), content);
                written.add(content);
            }
            devices.forEach(d -> {
                d.push(server);
                d.pull(server);
            });
            log.append(String.format("start: %d files in sync%n", count));
        }

        void perform(Step step, int index) {
            SimulatedDevice device = devices.get(step.device());
            Content fresh = Content.of(device.name().charAt(0) + String.valueOf(index));
            boolean done = switch (step) {
                case Create c -> wrote(device.create(PATHS.get(c.path()), c.sameContent() ? SHARED : fresh),
                        c.sameContent() ? SHARED : fresh);
                case Edit e -> device.edit(e.file(), fresh).map(old -> discarded(old) && wrote(true, fresh))
                        .orElse(false);
                case Delete d -> device.delete(d.file()).map(this::discarded).orElse(false);
                case Rename r -> device.rename(r.file(), PATHS.get(r.path()));
                case Push p -> device.push(server) > 0;
                case Redeliver r -> server.redeliverLastBatchOf(DEVICES.get(r.device()).id());
                case Pull p -> {
                    device.pull(server);
                    yield true;
                }
            };
            log.append(String.format("%2d %s%s%n", index, step, done ? "" : " (nothing to do)"));
        }

        private boolean wrote(boolean done, Content content) {
            if (done) {
                written.add(content);
            }
            return done;
        }

        /** A person overwrote or deleted content: only their own loss if the server never had it. */
        private boolean discarded(Content content) {
            if (!server.inHistory(content)) {
                discardedUnsaved.add(content);
            }
            return true;
        }

        Set<Content> mustSurvive() {
            Set<Content> survive = new HashSet<>(written);
            survive.removeAll(discardedUnsaved);
            return survive;
        }

        /** Sync rounds (pull, push, pull on each device, as the client's round) until one sends nothing. */
        void settle() {
            for (int round = 1; round <= MAX_SETTLE_ROUNDS; round++) {
                long before = server.lastSeq();
                int sent = 0;
                for (SimulatedDevice device : devices) {
                    device.pull(server);
                    sent += device.push(server);
                    device.pull(server);
                }
                log.append(String.format("settle round %d: %d changes sent%n", round, sent));
                if (sent == 0 && server.lastSeq() == before) {
                    return;
                }
            }
            throw new AssertionError("devices still sending after " + MAX_SETTLE_ROUNDS + " rounds\n" + this);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("steps:\n").append(log).append("history:\n");
            for (FileEvent e : server.history()) {
                s.append(String.format("  #%d %s %s %s %s %s by %s%s%n", e.getSeq(), e.getOp(), e.getFileId(),
                        e.getPath(), AvroRecords.vector(e.getVector()), Content.of(e.getChunks()), e.getDeviceId(),
                        e.getConflictOf() == null ? "" : " conflictOf " + e.getConflictOf()));
            }
            devices.forEach(d -> s.append(d).append('\n'));
            return s.toString();
        }
    }
}

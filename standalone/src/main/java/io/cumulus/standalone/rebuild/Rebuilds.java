package io.cumulus.standalone.rebuild;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cumulus.standalone.rebuild.RebuildStatus.PartitionProgress;
import io.cumulus.standalone.rebuild.RebuildStatus.Phase;

/**
 * Runs rebuilds: one job thread per rebuild, at most one running rebuild per projection, in this process
 * and (by a {@link RebuildLock} held for the whole job) across every instance of the deployment. A job
 * refuses topics that no longer start at offset 0 (a truncated log cannot rebuild the store), then creates
 * the new {@link Generation}, reads the projection's topics from offset 0 with a consumer of its own
 * (read_committed, assigned partitions, no consumer group, so no live worker's offsets move) and applies
 * every poll to it. Its progress is the consumer's position against the partitions' end offsets, read
 * again every second, since the live system keeps writing: {@link Phase#BUILDING} until it has reached the
 * end offsets of its start, {@link Phase#CATCHING_UP} until it is fewer than {@link #SWITCH_LAG} records
 * behind, then {@link Phase#SWITCHING}: {@link Generation#switchOver} holds the live worker off, drains
 * the rest and switches. An abort, or a failure before the switch, drops the new generation; the live one
 * is never touched.
 *
 * <p>Finished rebuilds stay listed (the newest {@value #KEPT_FINISHED}) until the process stops.
 */
public final class Rebuilds implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Rebuilds.class);
    /** A rebuild this few records behind stops catching up and switches (the rest is drained under the lock). */
    static final long SWITCH_LAG = 500;
    private static final int KEPT_FINISHED = 20;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration END_OFFSETS_EVERY = Duration.ofSeconds(1);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RATE_WINDOW = Duration.ofSeconds(10);

    private final Map<String, Projection> projections;
    private final String bootstrapServers;
    private final DataSource lockDataSource;
    private final Clock clock;
    private final Map<String, Job> jobs = new LinkedHashMap<>();

    /** A projection name that this deployment does not have. */
    public static final class UnknownProjection extends RuntimeException {
        UnknownProjection(String name, Collection<String> known) {
            super("no projection '" + name + "' here; this server rebuilds " + String.join(", ", known));
        }
    }

    /** A second rebuild of a projection while one runs. */
    public static final class AlreadyRunning extends RuntimeException {
        private final String id;

        AlreadyRunning(String projection, String id) {
            super("a rebuild of " + projection + " is running already: " + id);
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** A rebuild of the projection runs on another instance (its {@link RebuildLock} is taken). */
    public static final class RunningElsewhere extends RuntimeException {
        RunningElsewhere(String projection) {
            super("a rebuild of " + projection + " is running on another instance of this deployment"
                    + " (its lock " + RebuildLock.PREFIX + projection + " is held)");
        }
    }

    /** A projection this deployment names but cannot rebuild now (its store does not exist here). */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An abort that comes too late: the switch has begun or the rebuild has finished. */
    public static final class NotAbortable extends RuntimeException {
        NotAbortable(String id, Phase phase) {
            super("rebuild " + id + " is " + phase.label() + " and can no longer be aborted");
        }
    }

    /** {@code lockDataSource}: the PostgreSQL database every instance of the deployment shares, for {@link RebuildLock}. */
    public Rebuilds(Collection<Projection> projections, String bootstrapServers, DataSource lockDataSource) {
        this(projections, bootstrapServers, lockDataSource, Clock.systemUTC());
    }

    Rebuilds(Collection<Projection> projections, String bootstrapServers, DataSource lockDataSource, Clock clock) {
        Map<String, Projection> byName = new TreeMap<>();
        for (Projection p : projections) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two projections named " + p.name());
            }
        }
        this.projections = byName;
        this.bootstrapServers = bootstrapServers;
        this.lockDataSource = lockDataSource;
        this.clock = clock;
    }

    /** The projections this deployment can rebuild, by name. */
    public synchronized Map<String, Projection> projections() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(projections));
    }

    /**
     * Adds a projection whose store starts after the API's context (the reconciler's stores, once the
     * reconciler runs in this process).
     */
    public synchronized void register(Projection projection) {
        if (projections.putIfAbsent(projection.name(), projection) != null) {
            throw new IllegalArgumentException("two projections named " + projection.name());
        }
    }

    /**
     * Drops what rebuilds that never finished left (a crash or a restart in the middle), for every
     * projection no rebuild of runs now on any instance (its lock is free). Called when the server starts;
     * a failure is logged and leaves the leftovers to the next rebuild of that store, which drops them too.
     */
    public void sweepLeftovers() {
        for (Projection projection : projections().values()) {
            try (RebuildLock lock = RebuildLock.tryTake(lockDataSource, projection.name()).orElse(null)) {
                if (lock == null) {
                    log.info("rebuild leftovers not swept projection={}: a rebuild of it runs on another instance",
                            projection.name());
                    continue;
                }
                synchronized (this) {
                    if (jobs.values().stream().anyMatch(j -> j.projection == projection && !j.phase.finished())) {
                        continue;
                    }
                }
                projection.dropLeftovers();
            } catch (Exception e) {
                log.warn("sweeping rebuild leftovers failed projection={} error={}", projection.name(), e.toString());
            }
        }
    }

    /** Starts a rebuild of the named projection on its own thread and answers its first status. */
    public synchronized RebuildStatus start(String projectionName) {
        Projection projection = projections.get(projectionName);
        if (projection == null) {
            throw new UnknownProjection(projectionName, projections.keySet());
        }
        for (Job job : jobs.values()) {
            if (job.projection.name().equals(projectionName) && !job.phase.finished()) {
                throw new AlreadyRunning(projectionName, job.id);
            }
        }
        RebuildLock lock;
        try {
            lock = RebuildLock.tryTake(lockDataSource, projectionName).orElseThrow(() -> new RunningElsewhere(projectionName));
        } catch (java.sql.SQLException e) {
            throw new Unavailable("cannot rebuild " + projectionName + ": its lock cannot be taken: " + e.getMessage(), e);
        }
        int number;
        try {
            number = projection.liveGeneration() + 1;
        } catch (Exception e) {
            lock.close();
            throw new Unavailable("cannot rebuild " + projectionName + ": " + e.getMessage(), e);
        }
        Job job = new Job(UUID.randomUUID().toString(), projection, number, lock);
        jobs.put(job.id, job);
        forgetOldFinished();
        job.thread.start();
        log.info("rebuild started id={} projection={} generation={}", job.id, projectionName, number);
        return job.status();
    }

    public synchronized List<RebuildStatus> list() {
        return jobs.values().stream().map(Job::status).toList();
    }

    public synchronized Optional<RebuildStatus> status(String id) {
        return Optional.ofNullable(jobs.get(id)).map(Job::status);
    }

    /**
     * Asks the rebuild to stop and drop its generation; answers its status (still running until the job
     * thread has dropped it). Empty when there is no such rebuild.
     */
    public synchronized Optional<RebuildStatus> abort(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            return Optional.empty();
        }
        synchronized (job) {
            if (job.phase == Phase.SWITCHING || job.phase.finished()) {
                throw new NotAbortable(id, job.phase);
            }
            job.abortRequested = true;
        }
        job.thread.interrupt();
        return Optional.of(job.status());
    }

    /** Waits for the rebuild to finish (tests, the command line's --wait in-process); answers its last status. */
    public RebuildStatus await(String id, Duration timeout) throws InterruptedException {
        Job job;
        synchronized (this) {
            job = jobs.get(id);
        }
        if (job == null) {
            throw new IllegalArgumentException("no rebuild " + id);
        }
        job.thread.join(timeout.toMillis());
        return job.status();
    }

    /** Aborts every running rebuild and waits for their threads. */
    @Override
    public void close() {
        List<Job> running;
        synchronized (this) {
            running = jobs.values().stream().filter(j -> !j.phase.finished()).toList();
        }
        for (Job job : running) {
            synchronized (job) {
                if (job.phase != Phase.SWITCHING) {
                    job.abortRequested = true;
                }
            }
            job.thread.interrupt();
        }
        for (Job job : running) {
            try {
                job.thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void forgetOldFinished() {
        List<String> finished = jobs.values().stream().filter(j -> j.phase.finished()).map(j -> j.id).toList();
        for (int i = 0; i < finished.size() - KEPT_FINISHED; i++) {
            jobs.remove(finished.get(i));
        }
    }

    /** Thrown inside the job thread when an abort was asked for. */
    private static final class Aborted extends Exception {
    }

    /** One rebuild: its thread, and the progress it publishes for status requests. */
    private final class Job implements Generation.CatchUp {
        final String id;
        final Projection projection;
        final int number;
        final Thread thread;
        /** Held from {@link #start} until the job has finished, whatever the way. */
        private final RebuildLock lock;
        final Instant startedAt;
        volatile Phase phase = Phase.BUILDING;
        volatile boolean abortRequested;
        volatile String location;
        volatile String error;
        volatile Instant finishedAt;
        volatile Map<TopicPartition, Long> beginnings = Map.of();
        volatile Map<TopicPartition, Long> ends = Map.of();
        volatile Map<TopicPartition, Long> positions = Map.of();
        /** (time, records done) samples of the last {@link #RATE_WINDOW}, oldest first. */
        private final java.util.ArrayDeque<long[]> samples = new java.util.ArrayDeque<>();
        private KafkaConsumer<byte[], byte[]> consumer;
        private Generation generation;
        private Instant endsReadAt = Instant.EPOCH;

        Job(String id, Projection projection, int number, RebuildLock lock) {
            this.id = id;
            this.projection = projection;
            this.number = number;
            this.lock = lock;
            this.startedAt = clock.instant();
            this.location = "generation " + number;
            this.thread = new Thread(this::run, "cumulus-rebuild-" + projection.name());
            this.thread.setDaemon(true);
        }

        private void run() {
            try {
                consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
                List<TopicPartition> partitions = partitions();
                consumer.assign(partitions);
                beginnings = Map.copyOf(consumer.beginningOffsets(partitions));
                requireWholeHistory(beginnings);
                generation = projection.newGeneration();
                location = generation.location();
                Map<TopicPartition, Long> applied = generation.positions();
                for (TopicPartition tp : partitions) {
                    consumer.seek(tp, Math.max(applied.getOrDefault(tp, 0L), beginnings.get(tp)));
                }
                Map<TopicPartition, Long> startEnds = readEnds();
                log.info("rebuild building id={} projection={} into={} records={}", id, projection.name(), location,
                        total(startEnds, beginnings));
                while (true) {
                    checkAbort();
                    pollAndApply();
                    if (Duration.between(endsReadAt, clock.instant()).compareTo(END_OFFSETS_EVERY) >= 0) {
                        readEnds();
                    }
                    if (phase == Phase.BUILDING && reached(startEnds)) {
                        phase = Phase.CATCHING_UP;
                        log.info("rebuild catching up id={} projection={} lag={}", id, projection.name(), lag());
                    }
                    if (phase == Phase.CATCHING_UP && lag() <= SWITCH_LAG) {
                        synchronized (this) {
                            checkAbort();
                            phase = Phase.SWITCHING;
                        }
                        break;
                    }
                }
                log.info("rebuild switching id={} projection={} to={} lag={}", id, projection.name(), location, lag());
                generation.switchOver(this);
                phase = Phase.DONE;
                log.info("rebuild done id={} projection={} generation={} location={} records={}", id, projection.name(),
                        number, location, done());
            } catch (Exception | Error e) {
                // An abort interrupts the job wherever it is (a poll, a database call): whatever that throws, it was asked for.
                if (abortRequested && phase != Phase.SWITCHING) {
                    dropGeneration();
                    phase = Phase.ABORTED;
                    log.info("rebuild aborted id={} projection={} dropped={}", id, projection.name(), location);
                } else {
                    fail(e);
                }
            } finally {
                finishedAt = clock.instant();
                Thread.interrupted(); // a close after an abort must not fail on the abort's interrupt
                try {
                    if (consumer != null) {
                        consumer.close();
                    }
                } finally {
                    lock.close();
                }
            }
        }

        private void fail(Throwable e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
            log.error("rebuild failed id={} projection={} phase={} error={}", id, projection.name(), phase.label(), error, e);
            Phase was = phase;
            dropGeneration();
            phase = Phase.FAILED;
            if (was == Phase.SWITCHING) {
                log.error("rebuild failed while switching id={} projection={}: the live generation is unchanged unless"
                        + " the switch committed; see the log above", id, projection.name());
            }
        }

        private void dropGeneration() {
            if (generation == null) {
                return;
            }
            boolean interrupted = Thread.interrupted();
            try {
                generation.drop();
            } catch (Exception e) {
                log.error("dropping the new generation failed id={} projection={} location={} error={}", id,
                        projection.name(), location, e.toString());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void checkAbort() throws Aborted {
            if (abortRequested) {
                throw new Aborted();
            }
        }

        private List<TopicPartition> partitions() {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : projection.topics()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist");
                }
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
            return partitions;
        }

        /**
         * Refuses a log that no longer starts at offset 0 (records deleted by retention or
         * {@code kafka-delete-records}): a generation built from it would lack what the deleted records
         * made, and the switch would drop the complete live one for it.
         */
        private void requireWholeHistory(Map<TopicPartition, Long> firstOffsets) {
            List<String> truncated = firstOffsets.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.comparingByKey(
                            java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition)))
                    .map(e -> e.getKey() + " starts at offset " + e.getValue()).toList();
            if (!truncated.isEmpty()) {
                throw new IllegalStateException("the topics no longer hold the whole history (" + String.join(", ", truncated)
                        + "): a rebuild needs every partition from offset 0, so none was built and the live generation"
                        + " is left as it is");
            }
        }

        private void pollAndApply() throws Exception {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            if (!records.isEmpty()) {
                generation.apply(records);
            }
            Map<TopicPartition, Long> now = new HashMap<>();
            for (TopicPartition tp : consumer.assignment()) {
                now.put(tp, consumer.position(tp));
            }
            positions = Map.copyOf(now);
            sample();
        }

        private Map<TopicPartition, Long> readEnds() {
            ends = Map.copyOf(consumer.endOffsets(consumer.assignment()));
            endsReadAt = clock.instant();
            return ends;
        }

        private boolean reached(Map<TopicPartition, Long> targets) {
            Map<TopicPartition, Long> at = positions;
            return targets.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), 0L) >= e.getValue());
        }

        private long lag() {
            Map<TopicPartition, Long> at = positions;
            return ends.entrySet().stream().mapToLong(e -> Math.max(0, e.getValue() - at.getOrDefault(e.getKey(), 0L))).sum();
        }

        private long done() {
            Map<TopicPartition, Long> at = positions;
            return beginnings.entrySet().stream()
                    .mapToLong(e -> Math.max(0, at.getOrDefault(e.getKey(), e.getValue()) - e.getValue())).sum();
        }

        private synchronized void sample() {
            long now = clock.millis();
            samples.addLast(new long[] {now, done()});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW.toMillis()) {
                samples.removeFirst();
            }
        }

        private synchronized double rate() {
            if (samples.size() < 2) {
                return 0;
            }
            long[] first = samples.peekFirst();
            long[] last = samples.peekLast();
            long millis = last[0] - first[0];
            return millis <= 0 ? 0 : (last[1] - first[1]) * 1000.0 / millis;
        }

        @Override
        public void until(Map<TopicPartition, Long> targets) throws Exception {
            Instant deadline = clock.instant().plus(CATCH_UP_TIMEOUT);
            while (!reached(targets)) {
                if (clock.instant().isAfter(deadline)) {
                    throw new IllegalStateException("could not reach " + targets + " within " + CATCH_UP_TIMEOUT
                            + "; at " + positions);
                }
                pollAndApply();
            }
        }

        @Override
        public Map<TopicPartition, Long> endOffsets() {
            return readEnds();
        }

        RebuildStatus status() {
            Map<TopicPartition, Long> at = positions;
            Map<TopicPartition, Long> end = ends;
            Map<TopicPartition, Long> begin = beginnings;
            List<PartitionProgress> progress = new ArrayList<>();
            long done = 0;
            long total = 0;
            Map<TopicPartition, Long> ordered = new TreeMap<>(
                    java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            ordered.putAll(end);
            for (Map.Entry<TopicPartition, Long> e : ordered.entrySet()) {
                long first = begin.getOrDefault(e.getKey(), 0L);
                long d = Math.max(0, at.getOrDefault(e.getKey(), first) - first);
                long t = Math.max(d, e.getValue() - first);
                progress.add(new PartitionProgress(e.getKey().topic(), e.getKey().partition(), d, t));
                done += d;
                total += t;
            }
            double rate = rate();
            Optional<Long> left = phase.finished() ? Optional.of(0L)
                    : rate > 0 ? Optional.of((long) Math.ceil((total - done) / rate)) : Optional.empty();
            return new RebuildStatus(id, projection.name(), number, location, phase, progress, done, total, rate, left,
                    Optional.ofNullable(error), startedAt, Optional.ofNullable(finishedAt));
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Only what the writers committed is history: the live workers read the same way.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "cumulus-rebuild");
        return p;
    }

    static long total(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> beginnings) {
        return ends.entrySet().stream().mapToLong(e -> e.getValue() - beginnings.getOrDefault(e.getKey(), 0L)).sum();
    }
}

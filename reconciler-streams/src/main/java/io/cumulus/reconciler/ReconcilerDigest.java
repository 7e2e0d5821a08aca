package io.cumulus.reconciler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import io.cumulus.schemas.AvroSerde;
import io.cumulus.schemas.FileState;

/**
 * A SHA-256 per state store of one generation of the reconciler, over every entry of the store in
 * key order (all its partitions together): two generations that hold the same entries have equal
 * digests, whatever partition or task holds them. Read through interactive queries, so the client
 * must be running; read a quiet reconciler, or the digest is of a moment.
 *
 * @param stores store name → hex digest, in {@link ReconcilerStores}' order
 */
public record ReconcilerDigest(Map<String, String> stores) {
    static final String[] STORE_NAMES = {ReconcilerStores.FILE_STATES, ReconcilerStores.FILE_HISTORY,
            ReconcilerStores.EXPIRY_SCHEDULE, ReconcilerStores.PATH_INDEX, ReconcilerStores.NAMESPACE_SEQ,
            ReconcilerStores.PROCESSED_BATCHES};

    private static final Duration STORES_OFFLINE = Duration.ofSeconds(30);

    public ReconcilerDigest {
        stores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stores));
    }

    /**
     * Reads the digests. A rebalance (a member joining, Kafka Streams' own probing rebalances) takes the
     * stores offline for moments; Kafka Streams' answer then is to ask again, which this does for up to
     * {@link #STORES_OFFLINE} while the client still runs.
     *
     * @throws InvalidStateStoreException when the stores stay offline that long, or the client stopped
     */
    static ReconcilerDigest of(KafkaStreams streams) {
        long deadline = System.nanoTime() + STORES_OFFLINE.toNanos();
        while (true) {
            try {
                return read(streams);
            } catch (InvalidStateStoreException e) {
                KafkaStreams.State state = streams.state();
                if (System.nanoTime() > deadline || !state.isRunningOrRebalancing()) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100); // Kafka Streams announces its stores' return to no one but its one state listener
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InvalidStateStoreException("interrupted while the reconciler's stores were offline", e);
            }
        }
    }

    private static ReconcilerDigest read(KafkaStreams streams) {
        Map<String, String> digests = new LinkedHashMap<>();
        for (String name : STORE_NAMES) {
            ReadOnlyKeyValueStore<String, Object> store = streams.store(
                    StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
            TreeMap<String, byte[]> entries = new TreeMap<>();
            try (KeyValueIterator<String, Object> it = store.all()) {
                it.forEachRemaining(kv -> entries.put(kv.key, bytes(kv.value)));
            }
            digests.put(name, sha256(entries));
        }
        return new ReconcilerDigest(digests);
    }

    private static byte[] bytes(Object value) {
        return switch (value) {
            case FileState state -> AvroSerde.fileStates().serializer().serialize("digest", state);
            case String text -> text.getBytes(StandardCharsets.UTF_8);
            case Long number -> ByteBuffer.allocate(Long.BYTES).putLong(number).array();
            default -> throw new IllegalStateException("no digest for a " + value.getClass().getName());
        };
    }

    private static String sha256(TreeMap<String, byte[]> entries) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            entries.forEach((key, value) -> {
                byte[] k = key.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(k.length).array());
                sha.update(k);
                sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(value.length).array());
                sha.update(value);
            });
            return HexFormat.of().formatHex(sha.digest()) + " (" + entries.size() + " entries)";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.cumulus.schemas;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.MDC;

/**
 * The correlation id that follows one piece of work from the HTTP request that started it to every
 * log line any service writes about it (docs/decisions/0039). The API takes it from the request's
 * {@value #HTTP_HEADER} header when that is a valid id, else makes one; it is stored on the batch's
 * outbox row, carried by the relay as the Kafka record header {@value #HEADER} on
 * {@code cumulus.changes.v1}, copied by the reconciler onto every record it derives from the batch,
 * and read by each consumer into the logging context ({@link MDC}, key {@value #MDC_KEY}) while it
 * handles the record.
 *
 * <p>A valid id is 1 to {@value #MAX_LENGTH} characters of letters, digits and {@code - _ . :}: no
 * spaces, quotes or control characters, so it can be logged, echoed in a response header and put in
 * a Kafka header as it is. Anything else a client sends is replaced, never logged or echoed.
 */
public final class Correlation {
    /** The HTTP request and response header. */
    public static final String HTTP_HEADER = "X-Correlation-Id";
    /** The Kafka record header. */
    public static final String HEADER = "cumulus-correlation-id";
    /** The logging context's key for the correlation id; the other keys below are set where they are known. */
    public static final String MDC_KEY = "correlationId";
    public static final String NAMESPACE_ID = "namespaceId";
    public static final String BATCH_ID = "batchId";
    public static final String DEVICE_ID = "deviceId";
    public static final int MAX_LENGTH = 64;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_LENGTH + "}");

    private Correlation() {
    }

    /** Whether {@code id} may be used as a correlation id as it is. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** A new correlation id (a random UUID). */
    public static String generate() {
        return UUID.randomUUID().toString();
    }

    /** {@code requested} when it is a valid id, else a new one. */
    public static String acceptOrGenerate(String requested) {
        return isValid(requested) ? requested : generate();
    }

    /** The correlation id of the work the current thread does, from its logging context. */
    public static Optional<String> current() {
        return Optional.ofNullable(MDC.get(MDC_KEY)).filter(Correlation::isValid);
    }

    /** The correlation id a Kafka record carries (its last {@value #HEADER} header), when it is a valid one. */
    public static Optional<String> of(Headers headers) {
        if (headers == null) {
            return Optional.empty();
        }
        Header header = headers.lastHeader(HEADER);
        if (header == null || header.value() == null) {
            return Optional.empty();
        }
        return Optional.of(new String(header.value(), StandardCharsets.UTF_8)).filter(Correlation::isValid);
    }

    /** Adds the id as the {@value #HEADER} header; nothing when it is empty or not valid. */
    public static Headers addTo(Headers headers, Optional<String> id) {
        id.filter(Correlation::isValid).ifPresent(v -> headers.add(HEADER, v.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    /**
     * Headers for a record derived from one that carried {@code from}: its correlation id and nothing
     * else, so that a derived record depends on its input alone (a replay of the input derives the
     * same records).
     */
    public static Headers carried(Headers from) {
        return addTo(new RecordHeaders(), of(from));
    }

    /**
     * Runs {@code action} for each record in a logging context holding the record's correlation id:
     * for a consumer that handles a poll as a whole, its line per record.
     */
    public static <K, V> void forEach(Iterable<ConsumerRecord<K, V>> records, Consumer<ConsumerRecord<K, V>> action) {
        for (ConsumerRecord<K, V> record : records) {
            try (Scope scope = scope(record.headers())) {
                action.accept(record);
            }
        }
    }

    /** An empty logging context, for keys to be {@link Scope#put put} in. */
    public static Scope context() {
        return new Scope();
    }

    /** A logging context holding the correlation id a Kafka record carries (none when it carries none). */
    public static Scope scope(Headers headers) {
        return new Scope().put(MDC_KEY, of(headers).orElse(null));
    }

    /** A logging context holding {@code correlationId} (none when it is null or not valid). */
    public static Scope scope(String correlationId) {
        return new Scope().put(MDC_KEY, isValid(correlationId) ? correlationId : null);
    }

    /**
     * Keys put in the current thread's logging context until {@link #close()}, which gives each key
     * back the value it had before, so a scope opened inside another (a record's handling inside a
     * request) leaves the outer one as it found it.
     */
    public static final class Scope implements AutoCloseable {
        private final Map<String, Optional<String>> previous = new LinkedHashMap<>();

        private Scope() {
        }

        /** Puts {@code key} in the logging context until this scope closes; a null value leaves it as it is. */
        public Scope put(String key, Object value) {
            if (value == null) {
                return this;
            }
            previous.putIfAbsent(key, Optional.ofNullable(MDC.get(key)));
            MDC.put(key, value.toString());
            return this;
        }

        @Override
        public void close() {
            previous.forEach((key, value) -> {
                if (value.isPresent()) {
                    MDC.put(key, value.get());
                } else {
                    MDC.remove(key);
                }
            });
            previous.clear();
        }
    }
}

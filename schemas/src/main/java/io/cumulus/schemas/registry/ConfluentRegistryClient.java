package io.cumulus.schemas.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small client of a schema registry's Confluent-compatible REST API (Confluent Schema Registry itself,
 * or Apicurio Registry's {@code /apis/ccompat/v7}): it registers an Avro schema under a subject and
 * answers the schema's global id, and finds the schema of an id. Both answers are cached for the life of
 * the client: a registry never gives an id to another schema. The HTTP call is made outside the caches'
 * locks, so a slow registry delays only the callers that need its answer. A failure says whether it may
 * pass ({@link SchemaRegistryException#retryable()}: the registry could not be reached or answered a
 * server error) or not (a 4xx such as no such id, or an unusable answer); this client does not retry.
 * Confluent's own client is not published where our build can reach it
 * (docs/decisions/0037-schema-registry.md).
 */
public final class ConfluentRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Map<String, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /** @param base the API's base, for example {@code http://registry:8080/apis/ccompat/v7} */
    public ConfluentRegistryClient(URI base) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public URI base() {
        return base;
    }

    /** Registers the schema under the subject (a no-op when it is there already) and answers its id. */
    public int register(String subject, Schema schema) {
        String key = subject + '\n' + schema;
        Integer known = idsBySchema.get(key);
        if (known != null) {
            return known;
        }
        int registered = registerNow(subject, schema);
        Integer first = idsBySchema.putIfAbsent(key, registered);
        return first != null ? first : registered;
    }

    private int registerNow(String subject, Schema schema) {
        String body = JSON.createObjectNode().put("schemaType", "AVRO").put("schema", schema.toString()).toString();
        JsonNode answer = call(HttpRequest.newBuilder(uri("/subjects/" + encode(subject) + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)), "register " + schema.getFullName() + " as " + subject);
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("the registry at " + base + " answered no id when registering "
                    + schema.getFullName() + ": " + answer, 0, false);
        }
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The schema the registry gave this id. */
    public Schema schema(int id) {
        Schema known = schemasById.get(id);
        if (known != null) {
            return known;
        }
        JsonNode answer = call(HttpRequest.newBuilder(uri("/schemas/ids/" + id)).GET(), "find the schema of id " + id);
        String text = answer.path("schema").asText("");
        if (text.isEmpty()) {
            throw new SchemaRegistryException("the registry at " + base + " answered no schema for id " + id + ": " + answer,
                    0, false);
        }
        Schema parsed;
        try {
            parsed = new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("the registry at " + base + " answered an unreadable schema for id " + id
                    + ": " + e.getMessage(), 0, false, e);
        }
        Schema first = schemasById.putIfAbsent(id, parsed);
        return first != null ? first : parsed;
    }

    private JsonNode call(HttpRequest.Builder request, String what) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10))
                    .header("Accept", CONTENT_TYPE).build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 != 2) {
                throw new SchemaRegistryException("cannot " + what + " at " + base + ": HTTP " + status + " " + response.body(),
                        status, status / 100 == 5 || status == 408 || status == 429);
            }
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new SchemaRegistryException("cannot " + what + " at " + base + ": the answer is not JSON: " + e.getMessage(),
                        status, false, e);
            }
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot " + what + " at " + base + ": " + e, 0, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while trying to " + what + " at " + base, 0, false, e);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The registry could not be reached, refused a request, or answered something unusable. */
    public static final class SchemaRegistryException extends UncheckedIOException {
        private final int status;
        private final boolean retryable;

        SchemaRegistryException(String message, int status, boolean retryable) {
            super(new IOException(message));
            this.status = status;
            this.retryable = retryable;
        }

        SchemaRegistryException(String message, int status, boolean retryable, Throwable cause) {
            super(new IOException(message, cause));
            this.status = status;
            this.retryable = retryable;
        }

        /** The registry's HTTP status, or 0 when it gave none (unreachable, or an unusable 2xx answer). */
        public int status() {
            return status;
        }

        /** The registry could not be reached, timed out or answered a server error: asking again later may work. */
        public boolean retryable() {
            return retryable;
        }

        @Override
        public String getMessage() {
            return getCause().getMessage();
        }
    }
}

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
 * the client: a registry never gives an id to another schema. Confluent's own client is not published
 * where our build can reach it (docs/decisions/0037-schema-registry.md).
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
        return idsBySchema.computeIfAbsent(subject + '\n' + schema, key -> {
            String body = JSON.createObjectNode().put("schemaType", "AVRO").put("schema", schema.toString()).toString();
            JsonNode answer = call(HttpRequest.newBuilder(uri("/subjects/" + encode(subject) + "/versions"))
                    .header("Content-Type", CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofString(body)), "register " + schema.getFullName() + " as " + subject);
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new SchemaRegistryException("the registry at " + base + " answered no id when registering "
                        + schema.getFullName() + ": " + answer);
            }
            schemasById.putIfAbsent(id, schema);
            return id;
        });
    }

    /** The schema the registry gave this id. */
    public Schema schema(int id) {
        return schemasById.computeIfAbsent(id, key -> {
            JsonNode answer = call(HttpRequest.newBuilder(uri("/schemas/ids/" + id)).GET(), "find the schema of id " + id);
            String text = answer.path("schema").asText("");
            if (text.isEmpty()) {
                throw new SchemaRegistryException("the registry at " + base + " answered no schema for id " + id + ": " + answer);
            }
            return new Schema.Parser().parse(text);
        });
    }

    private JsonNode call(HttpRequest.Builder request, String what) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10))
                    .header("Accept", CONTENT_TYPE).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new SchemaRegistryException("cannot " + what + " at " + base + ": HTTP " + response.statusCode()
                        + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot " + what + " at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while trying to " + what + " at " + base, e);
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
        SchemaRegistryException(String message) {
            super(new IOException(message));
        }

        SchemaRegistryException(String message, Throwable cause) {
            super(new IOException(message, cause));
        }

        @Override
        public String getMessage() {
            return getCause().getMessage();
        }
    }
}

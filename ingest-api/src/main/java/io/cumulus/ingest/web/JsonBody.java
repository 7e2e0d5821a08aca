package io.cumulus.ingest.web;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads JSON request bodies within a {@link BodyLimit}. Its parser is strict where the API needs
 * certainty: a member given twice is malformed (which of the two would the client have meant?),
 * and so is trailing content after the document.
 */
public final class JsonBody {
    private final JsonMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The body as a tree; {@link MalformedJsonException} when it is not one JSON document. */
    public JsonNode readTree(HttpServletRequest request, BodyLimit limit) {
        return parseTree(limit.read(request));
    }

    public JsonNode parseTree(byte[] body) {
        if (body.length == 0) {
            throw new MalformedJsonException("the request body is empty; a JSON document was expected");
        }
        try {
            return mapper.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedJsonException("the request body is not well-formed JSON: " + e.getOriginalMessage());
        }
    }

    /** The body bound to a record; members of the wrong JSON type are an {@link InvalidRequestException}. */
    public <T> T read(HttpServletRequest request, BodyLimit limit, Class<T> type) {
        byte[] body = limit.read(request);
        if (body.length == 0) {
            throw new MalformedJsonException("the request body is empty; a JSON object was expected");
        }
        try {
            T value = mapper.readValue(body, type);
            if (value == null) {
                throw InvalidRequestException.invalid("the request body must be a JSON object, not null");
            }
            return value;
        } catch (StreamReadException e) {
            throw new MalformedJsonException("the request body is not well-formed JSON: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            throw InvalidRequestException.invalid("the request body does not have the expected shape: " + e.getOriginalMessage());
        }
    }

    public JsonMapper mapper() {
        return mapper;
    }
}

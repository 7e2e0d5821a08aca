package io.cumulus.client.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.sun.net.httpserver.HttpExchange;

import tools.jackson.databind.json.JsonMapper;

/** Answers of the JDK's little HTTP server that tests stand in for Cumulus with: a JSON body, or a problem from 400 on. */
public final class JsonAnswers {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JsonAnswers() {
    }

    public static void json(HttpExchange x, int status, Object body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            x.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
            x.sendResponseHeaders(status, bytes.length);
            x.getResponseBody().write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

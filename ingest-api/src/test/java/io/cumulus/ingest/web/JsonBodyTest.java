package io.cumulus.ingest.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class JsonBodyTest {
    private final JsonBody json = new JsonBody();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oneWellFormedDocumentIsATree() {
        assertThat(json.parseTree(utf8(" {\"a\": [1, 2]} \n")).get("a")).hasSize(2);
    }

    @Test
    void anythingElseIsMalformed() {
        for (String bad : new String[] {"", "{", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1} trailing", "{\"a\": 1, \"a\": 2}", "{a: 1}"}) {
            assertThatThrownBy(() -> json.parseTree(utf8(bad))).as(bad)
                    .isInstanceOfSatisfying(MalformedJsonException.class, e -> assertThat(e.slug()).isEqualTo("malformed-json"));
        }
    }
}

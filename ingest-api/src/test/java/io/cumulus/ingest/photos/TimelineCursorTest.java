package io.cumulus.ingest.photos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;

class TimelineCursorTest {

    @Test
    void aCursorDecodesToTheSamePositionToTheMicrosecond() {
        TimelineCursor cursor = new TimelineCursor(Instant.parse("2024-05-01T10:15:30.123456Z"), "file-1");

        assertThat(TimelineCursor.decode(cursor.encode())).isEqualTo(cursor);
    }

    @Test
    void instantsBeforeTheEpochSurviveTheRoundTrip() {
        TimelineCursor cursor = new TimelineCursor(Instant.parse("1969-12-31T23:59:59.999999Z"), "old");

        assertThat(TimelineCursor.decode(cursor.encode()).takenAt()).isEqualTo(cursor.takenAt());
    }

    @Test
    void nanosecondsBeyondWhatPostgresKeepsAreDropped() {
        TimelineCursor cursor = new TimelineCursor(Instant.parse("2024-05-01T10:15:30.123456789Z"), "f");

        assertThat(cursor.takenAt()).isEqualTo(Instant.parse("2024-05-01T10:15:30.123456Z"));
    }

    @Test
    void aCursorIsUrlSafe() {
        String encoded = new TimelineCursor(Instant.parse("2024-05-01T10:15:30Z"), "a~b_c.d-e").encode();

        assertThat(encoded).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void textThatIsNoCursorIsABadRequest() {
        for (String bad : new String[]{"", "!!!", b64("no-colon"), b64("abc:file"), b64("123:"), b64("123:../x"), b64(":f"), b64("-9223372036854775808:f"), b64("9223372036854775807:f"), b64("-62167219200000001:f")}) {
            assertThatThrownBy(() -> TimelineCursor.decode(bad)).as(bad)
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.slug()).isEqualTo("invalid-cursor"));
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}

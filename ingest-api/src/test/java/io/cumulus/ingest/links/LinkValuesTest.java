package io.cumulus.ingest.links;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;

/** The small values of links: tokens, expiries, download names, page escaping. */
class LinkValuesTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @Test
    void tokensAre43Base64urlCharactersAndNeverRepeat() {
        SecureRandom random = new SecureRandom();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            LinkToken token = LinkToken.random(random);
            assertThat(token.value()).matches("[A-Za-z0-9_-]{43}");
            assertThat(seen.add(token.value())).isTrue();
            assertThat(token.sha256()).matches("[0-9a-f]{64}");
        }
        assertThat(LinkToken.isWellFormed("A".repeat(42))).isFalse();
        assertThat(LinkToken.isWellFormed("A".repeat(42) + "=")).isFalse();
        assertThat(LinkToken.random(random).toString()).doesNotContain("-").contains("redacted");
    }

    @Test
    void anExpiryIsRelativeOrAbsoluteAndInTheFuture() {
        assertThat(LinkExpiry.of("7d", null, NOW)).contains(NOW.plus(Duration.ofDays(7)));
        assertThat(LinkExpiry.of("12h", null, NOW)).contains(NOW.plus(Duration.ofHours(12)));
        assertThat(LinkExpiry.of(null, "2027-01-01T00:00:00Z", NOW)).contains(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(LinkExpiry.of(null, null, NOW)).isEmpty();
        for (String bad : new String[] {"0d", "7", "d", "-1h", "1w", "99999999d"}) {
            assertThatThrownBy(() -> LinkExpiry.of(bad, null, NOW)).as(bad).isInstanceOf(InvalidRequestException.class);
        }
        assertThatThrownBy(() -> LinkExpiry.of(null, "2026-12-05T11:59:59Z", NOW)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> LinkExpiry.of("1d", "2027-01-01T00:00:00Z", NOW)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aDownloadNameCannotBreakOutOfItsHeader() {
        String header = AttachmentName.contentDisposition("a\"b\\c\r\nSet-Cookie: x=1;é/.txt");

        assertThat(header).doesNotContain("\r").doesNotContain("\n");
        assertThat(header).startsWith("attachment; filename=\"a_b_c__Set-Cookie: x=1___.txt\"; filename*=UTF-8''");
        assertThat(header).endsWith("a%22b%5Cc%0D%0ASet-Cookie%3A%20x%3D1%3B%C3%A9%2F.txt");
        assertThat(AttachmentName.contentDisposition("")).contains("filename=\"download\"");
    }

    @Test
    void pageTextIsEscaped() {
        assertThat(LinkPage.escape("<a href=\"x\" onclick='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(LinkPage.CONTENT_SECURITY_POLICY).contains("default-src 'none'").doesNotContain("unsafe");
        assertThat(LinkPage.size(1536)).isEqualTo("1.5 KiB");
    }
}

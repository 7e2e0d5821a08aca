package io.cumulus.ingest.links;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.http.ResponseCookie;

class LinkCookieTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static Link aLink(String passwordHash, Optional<Instant> expiresAt) {
        return new Link(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), Link.Kind.FOLDER, "docs", expiresAt,
                Optional.of(passwordHash), NOW, Optional.empty());
    }

    @Test
    void aCookieOpensItsOwnLinkOnlyAndOnlyUntilItExpires() {
        Link link = aLink("pbkdf2$1$c2FsdA$aGFzaA", Optional.empty());
        LinkToken token = LinkToken.random(RANDOM);
        ResponseCookie cookie = LinkCookie.issue(link, token, NOW, true);

        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.isSecure()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getPath()).isEqualTo("/s/" + token.value());
        assertThat(LinkCookie.verifies(cookie.getValue(), link, token, NOW.plusSeconds(60))).isTrue();
        assertThat(LinkCookie.verifies(cookie.getValue(), link, LinkToken.random(RANDOM), NOW)).isFalse();
        assertThat(LinkCookie.verifies(cookie.getValue(), aLink("pbkdf2$1$c2FsdA$b3RoZXI", Optional.empty()), token, NOW)).isFalse();
        assertThat(LinkCookie.verifies(cookie.getValue(), link, token, NOW.plus(LinkCookie.LIFETIME))).isFalse();
    }

    @Test
    void aCookieEndsWithItsLinkAndCannotBeExtendedByEditingItsExpiry() {
        Link link = aLink("pbkdf2$1$c2FsdA$aGFzaA", Optional.of(NOW.plus(Duration.ofMinutes(5))));
        LinkToken token = LinkToken.random(RANDOM);
        String value = LinkCookie.issue(link, token, NOW, false).getValue();
        String extended = (NOW.getEpochSecond() + 86_400) + value.substring(value.indexOf('.'));

        assertThat(LinkCookie.verifies(value, link, token, NOW.plus(Duration.ofMinutes(4)))).isTrue();
        assertThat(LinkCookie.verifies(value, link, token, NOW.plus(Duration.ofMinutes(5)))).isFalse();
        assertThat(LinkCookie.verifies(extended, link, token, NOW.plus(Duration.ofMinutes(6)))).isFalse();
        assertThat(LinkCookie.verifies("garbage", link, token, NOW)).isFalse();
        assertThat(LinkCookie.verifies(null, link, token, NOW)).isFalse();
    }
}

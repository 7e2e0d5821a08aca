package io.cumulus.ingest.links;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import io.cumulus.ingest.auth.PasswordHasher;
import io.cumulus.ingest.gateway.Limit;
import io.cumulus.ingest.gateway.RateLimits;
import io.cumulus.sync.hash.Sha256;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The gate every request through {@code /s/} passes: the rate limits first (per token and per client
 * address, whether or not the token is a link's), then the link's row, read again from PostgreSQL.
 * A password, when one is offered, is checked against a link that does not open too (against a hash
 * of no one's password), so a wrong token with a password takes as long as a right one.
 */
final class LinkAccess {
    static final String PASSWORD_HEADER = "X-Link-Password";

    private final LinkStore links;
    private final RateLimits limits;
    private final PasswordHasher hasher;

    LinkAccess(LinkStore links, RateLimits limits, PasswordHasher hasher) {
        this.links = links;
        this.limits = limits;
        this.hasher = hasher;
    }

    /** A link that opens now, with the token that opened it. */
    record Opened(Link link, LinkToken token) {
        boolean protectedByPassword() {
            return link.passwordHash().isPresent();
        }
    }

    /** Takes the request's rate limits, then finds the link the token opens now. */
    Optional<Opened> open(HttpServletRequest request, String token) {
        // The address first: made-up tokens from an address already refused make no new buckets.
        limits.take(Limit.LINK_REQUESTS, "address:" + request.getRemoteAddr());
        limits.take(Limit.LINK_REQUESTS, "link:" + keyOf(token));
        if (!LinkToken.isWellFormed(token)) {
            return Optional.empty();
        }
        LinkToken parsed = new LinkToken(token);
        return links.open(parsed).map(link -> new Opened(link, parsed));
    }

    /**
     * Whether the request proves the password of a link that opened: its cookie, or the password in
     * {@value #PASSWORD_HEADER} (one attempt of {@link Limit#LINK_PASSWORD}). Always true without a password.
     */
    boolean unlocked(HttpServletRequest request, Opened opened) {
        if (!opened.protectedByPassword()) {
            return true;
        }
        if (LinkCookie.verifies(cookie(request), opened.link(), opened.token(), Instant.now())) {
            return true;
        }
        String offered = request.getHeader(PASSWORD_HEADER);
        return offered != null && passwordMatches(opened, offered);
    }

    /**
     * One password attempt against the link. A right password gives its token back, as a sign-in does,
     * so only wrong ones count: people who know the password are never locked out by a guesser's
     * attempts running out the bucket before theirs, nor by downloading many files with the header.
     */
    boolean passwordMatches(Opened opened, String password) {
        String key = "link:" + opened.token().sha256();
        limits.take(Limit.LINK_PASSWORD, key);
        boolean matches = hasher.matches(password, opened.link().passwordHash().orElseThrow());
        if (matches) {
            limits.giveBack(Limit.LINK_PASSWORD, key);
        }
        return matches;
    }

    /**
     * What a refusal costs when the token opens nothing: a password offered is still counted and
     * hashed, so that timing and rate limits do not tell an unknown token from a known one.
     */
    void refuseUnopened(String token, Optional<String> offeredPassword) {
        offeredPassword.ifPresent(password -> {
            limits.take(Limit.LINK_PASSWORD, "link:" + keyOf(token));
            hasher.matchesNothing(password);
        });
    }

    private static String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (LinkCookie.NAME.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    /** A rate-limit key for a token as the request wrote it: its hash, so no store of buckets holds a token. */
    private static String keyOf(String token) {
        return LinkToken.isWellFormed(token) ? new LinkToken(token).sha256() : Sha256.hex(token.getBytes(StandardCharsets.UTF_8));
    }
}

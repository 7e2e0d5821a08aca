package io.cumulus.ingest.links;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The headers of every answer under {@code /s/}, whatever answers it (a page, a download, a refusal,
 * Spring's own 405): nothing is cached or indexed, no page leaks its address (which holds the token)
 * as a referrer, no file is sniffed into something a browser would run, and the page runs no script,
 * loads nothing from elsewhere and cannot be framed ({@link LinkPage#CONTENT_SECURITY_POLICY}).
 */
final class LinkSecurityHeaders extends OncePerRequestFilter {
    static final String URL_PATTERN = "/s/*";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("X-Robots-Tag", "noindex, nofollow");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Content-Security-Policy", LinkPage.CONTENT_SECURITY_POLICY);
        chain.doFilter(request, response);
    }
}

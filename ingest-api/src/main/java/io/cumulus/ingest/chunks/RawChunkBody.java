package io.cumulus.ingest.chunks;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A chunk upload's body is its bytes, whatever {@code Content-Type} the client sent: before any
 * other filter sees it, a {@code PUT /v1/chunks/{id}} (and a {@code POST /v1/chunks/pack}) is shown to the rest of the chain as
 * {@code application/octet-stream}. Otherwise a form type would be parsed into parameters by Spring's
 * {@code FormContentFilter} (a stray {@code %} fails the parse, and the bytes are gone either way),
 * and a multipart type would be taken apart by the multipart resolver, so the hash would be checked
 * against nothing or the upload would fail. A delta upload keeps its own type, which nothing parses.
 */
public final class RawChunkBody extends OncePerRequestFilter {
    /** The URL pattern to register the filter under; it acts on {@code PUT} and on {@code POST /v1/chunks/pack} only. */
    public static final String URL_PATTERN = "/v1/chunks/*";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("PUT".equals(request.getMethod())
                || "POST".equals(request.getMethod()) && request.getRequestURI().endsWith("/v1/chunks/pack"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (ChunkDeltas.MEDIA_TYPE.equalsIgnoreCase(String.valueOf(request.getContentType()).trim())) {
            chain.doFilter(request, response); // a delta upload: neither a form nor multipart, so it reaches its handler as sent
            return;
        }
        chain.doFilter(new OctetStream(request), response);
    }

    private static final class OctetStream extends HttpServletRequestWrapper {
        private static final String TYPE = MediaType.APPLICATION_OCTET_STREAM_VALUE;

        OctetStream(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getContentType() {
            return TYPE;
        }

        @Override
        public String getHeader(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? TYPE : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? Collections.enumeration(List.of(TYPE))
                    : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            if (names.stream().noneMatch(HttpHeaders.CONTENT_TYPE::equalsIgnoreCase)) {
                names.add(HttpHeaders.CONTENT_TYPE);
            }
            return Collections.enumeration(names);
        }
    }
}

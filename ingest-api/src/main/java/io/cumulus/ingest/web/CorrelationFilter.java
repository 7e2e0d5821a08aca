package io.cumulus.ingest.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

import io.cumulus.schemas.Correlation;

/**
 * Gives every request a correlation id ({@link Correlation}): the client's {@code X-Correlation-Id}
 * when it sent a valid one, else a new one. The id is answered in the response's
 * {@code X-Correlation-Id}, and is in the logging context for the request's log lines; a batch the
 * request submits carries it on through the pipeline. A header that is not a valid id (too long,
 * spaces, quotes, control characters) is replaced, and neither echoed nor logged.
 */
public final class CorrelationFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(CorrelationFilter.class);
    private static final String ATTRIBUTE = CorrelationFilter.class.getName();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String requested = request.getHeader(Correlation.HTTP_HEADER);
        // An async or error dispatch of the same request keeps the id its first dispatch chose.
        String id = request.getAttribute(ATTRIBUTE) instanceof String chosen ? chosen : Correlation.acceptOrGenerate(requested);
        request.setAttribute(ATTRIBUTE, id);
        if (!response.isCommitted()) {
            response.setHeader(Correlation.HTTP_HEADER, id);
        }
        MDC.put(Correlation.MDC_KEY, id);
        try {
            if (requested != null && !requested.equals(id) && request.getDispatcherType() == jakarta.servlet.DispatcherType.REQUEST) {
                log.debug("correlation id refused, replaced length={}", requested.length());
            }
            chain.doFilter(request, response);
        } finally {
            // Tomcat reuses its threads: nothing of this request may stay in the next one's logging context.
            MDC.remove(Correlation.MDC_KEY);
            MDC.remove(Correlation.DEVICE_ID);
            MDC.remove(Correlation.NAMESPACE_ID);
            MDC.remove(Correlation.BATCH_ID);
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false; // an async request's second dispatch logs under the same id
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false; // the error page's log lines too
    }
}

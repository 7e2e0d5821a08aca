package io.cumulus.ingest.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A request the API refuses, carrying everything its RFC 9457 answer needs: the status, the
 * problem type {@code /problems/<slug>}, a short title that is the same for every instance of the
 * type, a detail for this instance, and optional extension members. Each feature declares its own
 * subclasses (one per problem type); {@link ProblemHandler} turns any of them into the response.
 */
public abstract class ProblemException extends RuntimeException {
    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    protected ProblemException(HttpStatus status, String slug, String title, String detail) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    /** Adds an extension member to the problem body (e.g. the missing chunk ids). */
    protected final void property(String name, Object value) {
        properties.put(name, value);
    }

    public HttpStatus status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    /** Headers the answer must carry besides the problem body, e.g. {@code WWW-Authenticate}. */
    public HttpHeaders headers() {
        return HttpHeaders.EMPTY;
    }

    public ProblemDetail toProblemDetail() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(typeOf(slug));
        problem.setTitle(title);
        properties.forEach(problem::setProperty);
        return problem;
    }

    public static URI typeOf(String slug) {
        return URI.create("/problems/" + slug);
    }
}

package io.cumulus.ingest.web;

import java.io.IOException;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import jakarta.servlet.http.HttpServletResponse;

import io.cumulus.ingest.resilience.StoreUnavailableException;

/**
 * The one place where an exception becomes an HTTP answer: an RFC 9457 problem
 * ({@code application/problem+json}, type {@code /problems/<slug>}), never an HTML page or a stack
 * trace. Refusals of the API itself are {@link ProblemException}s; Spring MVC's own refusals and a
 * store that is down are mapped here; anything else is a 500 whose cause is logged, not shown.
 */
@RestControllerAdvice
public class ProblemHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    /**
     * When to try again after a 503: soon, since an open breaker refuses at once and costs nothing,
     * and a breaker lets a few requests probe the store every few seconds.
     */
    static final String RETRY_AFTER_SECONDS = "1";

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> refused(ProblemException e) {
        return answer(e.status(), e.headers(), e.toProblemDetail());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        return problem(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON", "the request body cannot be read as JSON");
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ProblemDetail> missingHeader(MissingRequestHeaderException e) {
        return problem(HttpStatus.BAD_REQUEST, "missing-header", "Missing request header",
                "the request header " + e.getHeaderName() + " is required", Map.of("header", e.getHeaderName()));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid query parameter",
                "the query parameter " + e.getParameterName() + " is required", Map.of("parameter", e.getParameterName()));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid query parameter",
                e.getName() + " has an invalid value: " + e.getValue(), Map.of("parameter", e.getName()));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
        return spring(e, "unsupported-media-type", "Unsupported media type",
                "this endpoint does not accept " + (e.getContentType() == null ? "a body without Content-Type" : e.getContentType())
                        + "; it accepts " + e.getSupportedMediaTypes());
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return spring(e, "not-acceptable", "Not acceptable",
                "this endpoint answers only " + e.getSupportedMediaTypes());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> methodNotAllowed(HttpRequestMethodNotSupportedException e) {
        return spring(e, "method-not-allowed", "Method not allowed",
                e.getMethod() + " is not allowed here; allowed: " + e.getSupportedHttpMethods());
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<ProblemDetail> noSuchEndpoint(Exception e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", "there is nothing at this address");
    }

    /**
     * A store that is down, unreachable or behind an open circuit breaker, or a transaction that
     * lost a lock or serialization conflict: the client should retry, and nothing was written. The
     * answer names the store when it is known ({@link StoreUnavailableException#store()}, found
     * anywhere in the cause chain; the API's only JDBC store is PostgreSQL). A commit or rollback
     * that failed ({@link TransactionSystemException}) lost its connection: whether the commit
     * happened is unknown to this request, and a retry with the same idempotency key finds out.
     */
    @ExceptionHandler({StoreUnavailableException.class, CannotGetJdbcConnectionException.class,
            DataAccessResourceFailureException.class, TransientDataAccessException.class,
            CannotCreateTransactionException.class, TransactionSystemException.class})
    ResponseEntity<ProblemDetail> storeUnavailable(Exception e) {
        String store = storeOf(e);
        log.warn("store unavailable store={} error={}", store, e.toString());
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        ProblemDetail body = detail(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "Store unavailable",
                "a store the API needs is unavailable; retry the same request shortly");
        body.setProperty("store", store);
        return answer(HttpStatus.SERVICE_UNAVAILABLE, headers, body);
    }

    static String storeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreUnavailableException unavailable) {
                return unavailable.store();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return "postgres";
    }

    /** The client went away while its answer was being written: there is no one left to answer. */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        log.debug("client disconnected error={}", e.toString());
    }

    /**
     * A stream broke: when the answer was already under way (typically the client went away during
     * a download) there is no one to tell and nothing to add; otherwise it is an internal error.
     */
    @ExceptionHandler(IOException.class)
    ResponseEntity<ProblemDetail> brokenStream(IOException e, HttpServletResponse response) {
        if (response.isCommitted()) {
            log.warn("response broken off error={}", e.toString());
            return null;
        }
        return unexpected(e);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (e instanceof ErrorResponse spring) {
            HttpStatusCode status = spring.getStatusCode();
            return answer(status, spring.getHeaders(), detail(status, slugOf(status), titleOf(status), spring.getBody().getDetail()));
        }
        log.error("request failed unexpectedly", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "the server failed to handle this request; it has been logged");
    }

    private static ResponseEntity<ProblemDetail> spring(ErrorResponse e, String slug, String title, String detail) {
        return answer(e.getStatusCode(), e.getHeaders(), detail(e.getStatusCode(), slug, title, detail));
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatusCode status, String slug, String title, String detail) {
        return problem(status, slug, title, detail, Map.of());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatusCode status, String slug, String title, String detail,
                                                         Map<String, Object> properties) {
        ProblemDetail body = detail(status, slug, title, detail);
        properties.forEach(body::setProperty);
        return answer(status, HttpHeaders.EMPTY, body);
    }

    static ProblemDetail detail(HttpStatusCode status, String slug, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(ProblemException.typeOf(slug));
        body.setTitle(title);
        return body;
    }

    static ResponseEntity<ProblemDetail> answer(HttpStatusCode status, HttpHeaders headers, ProblemDetail body) {
        return ResponseEntity.status(status).headers(headers).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
    }

    /** A slug for a status that has no more specific problem type: 409 becomes {@code conflict}. */
    static String slugOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "http-" + status.value() : known.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    static String titleOf(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "HTTP " + status.value() : known.getReasonPhrase();
    }
}

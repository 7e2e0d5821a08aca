package io.cumulus.ingest.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's last word on an error no servlet answered: a request it refused before any servlet saw it
 * (a request line or header it cannot parse, a header over the size limit, an address whose percent
 * encoding is invalid or names a {@code /} or a NUL), answered as a problem like every other error
 * instead of Tomcat's HTML page. Errors a servlet answered, including through
 * {@link ProblemErrorController}, already have their body and are left alone.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As Tomcat's own valve: nothing to add to a success, to a body under way, or to a reported error.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return; // the connection is broken: no one would read the answer
        }
        HttpStatusCode code = HttpStatusCode.valueOf(status);
        String slug = code.is5xxServerError() ? "internal-error" : ProblemHandler.slugOf(code);
        String detail = code.is5xxServerError() ? "the server failed to handle this request"
                : status == 400 ? "the request is not valid HTTP, or its address cannot be decoded" : "the request was refused";
        String body = "{\"type\":\"" + ProblemException.typeOf(slug) + "\",\"title\":\"" + ProblemHandler.titleOf(code)
                + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client went away, or the response was committed meanwhile: there is no one left to tell.
        }
    }
}

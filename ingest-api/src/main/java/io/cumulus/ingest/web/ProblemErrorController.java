package io.cumulus.ingest.web;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.PublicEndpoint;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Answers the servlet container's error dispatch (a failure outside Spring MVC, e.g. in a filter
 * or while Tomcat parses a request) with a problem instead of Spring Boot's HTML or JSON error
 * page, so every error a client can see has the same shape.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    @PublicEndpoint
    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatusCode status = code instanceof Integer c && c >= 400 ? HttpStatusCode.valueOf(c) : HttpStatus.INTERNAL_SERVER_ERROR;
        String slug = status.is5xxServerError() ? "internal-error" : ProblemHandler.slugOf(status);
        String detail = status.is5xxServerError() ? "the server failed to handle this request" : "the request was refused";
        return ProblemHandler.answer(status, HttpHeaders.EMPTY,
                ProblemHandler.detail(status, slug, ProblemHandler.titleOf(status), detail));
    }
}

package io.cumulus.ingest.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The actuator's endpoints under {@code /actuator/}: {@code health} is open to everyone (a load
 * balancer or a supervisor asks it without credentials, and it tells only up or down); every other
 * one ({@code prometheus} with the circuit breakers' states and counts, the JVM's figures) needs
 * the admin token, which a Prometheus scrape job sends as its bearer token. A servlet filter,
 * because the actuator's handlers are not the ingest API's and its interceptors do not see them.
 */
public final class OperatorEndpoints extends OncePerRequestFilter {
    private static final String ACTUATOR = "/actuator";
    private static final String HEALTH = "/actuator/health";

    private final AdminToken adminToken;

    public OperatorEndpoints(AdminToken adminToken) {
        this.adminToken = adminToken;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean actuator = path.equals(ACTUATOR) || path.startsWith(ACTUATOR + "/");
        boolean health = path.equals(HEALTH) || path.startsWith(HEALTH + "/");
        return !actuator || health;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            adminToken.check(request);
        } catch (UnauthorizedException e) {
            // Outside Spring MVC's exception handling: the problem is written here, as ProblemHandler would.
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.getOutputStream().write(("{\"type\":\"/problems/unauthorized\",\"title\":\"Unauthorized\",\"status\":401,"
                    + "\"detail\":\"the admin token is required: Authorization: Bearer <admin token>\"}")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(request, response);
    }
}

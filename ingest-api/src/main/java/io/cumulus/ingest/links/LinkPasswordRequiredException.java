package io.cumulus.ingest.links;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A JSON client asked for the listing of a password-protected link without its password, or with a
 * wrong one: 401, saying how to send it. (A browser gets the password form instead.)
 */
final class LinkPasswordRequiredException extends ProblemException {

    LinkPasswordRequiredException() {
        super(HttpStatus.UNAUTHORIZED, "link-password-required", "Link password required",
                "this link is protected by a password: send it in the X-Link-Password header");
    }
}

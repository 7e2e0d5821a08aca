package io.cumulus.ingest.links;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * No link here. Through {@code /s/}, the one answer for a token no link has, a revoked link, an
 * expired link, a file outside the link's target and a wrong password on a file: one status, one
 * body, nothing echoed, so nothing tells them apart. On {@code /v1/links/{id}}, a link id the caller
 * did not make (or cannot revoke) is answered as one that does not exist.
 */
final class LinkNotFoundException extends ProblemException {
    static final String DETAIL = "there is no link at this address, or it has expired or been revoked";

    private LinkNotFoundException(String detail) {
        super(HttpStatus.NOT_FOUND, "link-not-found", "Link not found", detail);
    }

    static LinkNotFoundException publicLink() {
        return new LinkNotFoundException(DETAIL);
    }

    static LinkNotFoundException id(String linkId) {
        return new LinkNotFoundException("no link " + linkId + " that this account can change");
    }
}

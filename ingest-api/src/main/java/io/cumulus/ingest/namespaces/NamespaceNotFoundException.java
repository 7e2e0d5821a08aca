package io.cumulus.ingest.namespaces;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A namespace that does not exist, or that the caller may not use in this way: the answer is the
 * same for both, so no one learns which namespace ids exist.
 */
public final class NamespaceNotFoundException extends ProblemException {

    public NamespaceNotFoundException(String namespaceId) {
        super(HttpStatus.NOT_FOUND, "namespace-not-found", "Namespace not found",
                "no namespace " + namespaceId + " that this account can use this way");
    }
}

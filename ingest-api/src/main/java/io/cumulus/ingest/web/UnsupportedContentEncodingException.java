package io.cumulus.ingest.web;

import org.springframework.http.HttpStatus;

/** A request body in a {@code Content-Encoding} the API does not read: only gzip and identity are. */
public final class UnsupportedContentEncodingException extends ProblemException {

    public UnsupportedContentEncodingException(String encoding) {
        super(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-content-encoding", "Unsupported content encoding",
                "the request body's Content-Encoding '" + encoding + "' is not one of gzip, identity");
        property("contentEncoding", encoding);
    }
}

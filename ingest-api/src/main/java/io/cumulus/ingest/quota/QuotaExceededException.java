package io.cumulus.ingest.quota;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A batch (or a chunk upload) that would take its account over its storage quota: nothing was
 * stored. The body says how much is used ({@code usedBytes}), the quota ({@code quotaBytes}) and
 * what the request would have added ({@code batchBytes}), so a client can tell its user.
 */
public final class QuotaExceededException extends ProblemException {

    public QuotaExceededException(long usedBytes, long quotaBytes, long batchBytes, String what) {
        super(HttpStatus.FORBIDDEN, "quota-exceeded", "Storage quota exceeded",
                what + " would need " + StorageSize.human(batchBytes) + " more, but " + StorageSize.human(usedBytes) + " of the "
                        + StorageSize.human(quotaBytes) + " quota are used; free space (deleted files count until the trash "
                        + "lets them go) or ask the administrator for a larger quota");
        property("usedBytes", usedBytes);
        property("quotaBytes", quotaBytes);
        property("batchBytes", batchBytes);
    }
}

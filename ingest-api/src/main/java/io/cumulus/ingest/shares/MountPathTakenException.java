package io.cumulus.ingest.shares;

import org.springframework.http.HttpStatus;

import io.cumulus.ingest.web.ProblemException;

/**
 * A mount path that is, contains, or lies inside another share this account has mounted: the client
 * could not tell which share a file under it belongs to.
 */
final class MountPathTakenException extends ProblemException {

    MountPathTakenException(String mountPath, String taken) {
        super(HttpStatus.CONFLICT, "mount-path-taken", "Mount path taken",
                "'" + mountPath + "' coincides with or nests with '" + taken + "', where this account already mounts a share");
        property("mountPath", mountPath);
        property("takenBy", taken);
    }
}

package io.cumulus.ingest.authz;

/**
 * Who is asking, relative to the owner's objects a request names. Each relation is a credential
 * the fixture holds: a device token of an account with that standing, a revoked device's token,
 * nothing, a link token sent where a device token is expected, or the admin token.
 */
enum Relation {
    /** A device of the account that owns the shared folder, the home files, the photo and the album. */
    OWNER,
    /** A member of the owner's shared folder with the editor role. */
    EDITOR,
    /** A member of the owner's shared folder with the viewer role. */
    VIEWER,
    /** Invited to the owner's shared folder, not (yet) accepted. */
    INVITED,
    /** Accepted an invitation to the owner's shared folder, then was removed by the owner. */
    REMOVED,
    /** An unrelated account with objects of every kind of its own. */
    OTHER,
    /** A device of the owner that the owner revoked. */
    REVOKED_DEVICE,
    /** No Authorization header at all. */
    NO_TOKEN,
    /** Holds a live public link to the owner's folder (its token, as the bearer or in an /s/ path). */
    LINK_HOLDER,
    /** Holds a public link to the owner's folder whose expiry has passed. */
    EXPIRED_LINK,
    /** The operator's admin token. */
    ADMIN
}

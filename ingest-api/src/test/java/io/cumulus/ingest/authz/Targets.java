package io.cumulus.ingest.authz;

import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.cumulus.sync.hash.Sha256;

/**
 * The objects one account holds, of every kind a request can name: a row fills its path and body
 * from these. The matrix uses the owner's; the leak checks ask the same of another account's and of
 * ids that name nothing, which must answer alike.
 *
 * @param sharedNamespace a shared folder the account owns (also its share id)
 * @param homeNamespace   the account's home namespace
 * @param sharedFile      a live file of the shared folder's {@code Docs} folder, with version 1
 * @param sharedPhoto     a photo file in the shared folder's {@code Docs} folder, with a thumbnail
 * @param homeFile        a live file of the home namespace
 * @param conflictCopy    an unresolved conflicted copy in the shared folder
 * @param chunk           a chunk the shared file references
 * @param photo           a ready photo of the home library, with its derivatives
 * @param album           an album holding {@code photo}
 * @param throwawayAlbum  an album holding {@code photo} that rows may empty and delete
 * @param throwawayDevice a device of the account that rows may revoke
 * @param batch           a batch the account submitted
 * @param accountId       the account itself
 * @param username        its username
 * @param link            a public link to the shared folder's {@code Docs} folder (its id)
 * @param linkToken       that link's token (the expired link's for {@link Relation#EXPIRED_LINK})
 */
record Targets(String sharedNamespace, String homeNamespace, String sharedFile, String sharedPhoto, String homeFile, String conflictCopy,
               String chunk, String photo, String album, String throwawayAlbum, String throwawayDevice, String batch,
               String accountId, String username, String link, String linkToken) {

    /** Ids of the same shape as an account's, naming nothing. */
    static Targets missing() {
        return new Targets(uuid(), uuid(), "missing-file-" + uuid(), "missing-photo-" + uuid(), "missing-file-" + uuid(), "missing-file-" + uuid(),
                Sha256.hex(uuid().getBytes()), "missing-photo-" + uuid(), uuid(), uuid(), uuid(), uuid(), uuid(),
                "missing" + uuid().substring(0, 8), uuid(), "missing-token-" + uuid());
    }

    /** Every id and name, for masking them in answers and for searching listings for them. */
    List<String> values() {
        return Stream.of(sharedNamespace, homeNamespace, sharedFile, sharedPhoto, homeFile, conflictCopy, chunk, photo, album,
                throwawayAlbum, throwawayDevice, batch, accountId, username, link, linkToken).toList();
    }

    /** The same objects, reached through another link token. */
    Targets withLinkToken(String token) {
        return new Targets(sharedNamespace, homeNamespace, sharedFile, sharedPhoto, homeFile, conflictCopy, chunk, photo, album,
                throwawayAlbum, throwawayDevice, batch, accountId, username, link, token);
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }
}

-- Shared albums (docs/decisions/0032): an album stays in its owner's namespace; the accounts it is
-- shared with are its members, and a member with the contribute role adds photos of their own
-- library. Everything here is projected from cumulus.album-events.v1 like V2's tables, so a replay
-- writes the same rows.

-- Who an album is shared with, and as what. The owner is not a member: photos.albums.account_id is.
CREATE TABLE album_members (
    namespace_id      uuid NOT NULL,            -- the album's namespace (its owner's library)
    album_id          uuid NOT NULL,
    account_id        uuid NOT NULL,            -- the member
    role              text NOT NULL CHECK (role IN ('view', 'contribute')),
    shared_at         timestamptz NOT NULL,     -- the event that made them a member, or changed their role
    PRIMARY KEY (namespace_id, album_id, account_id)
);
-- "Which albums are shared with me": every read of a member starts here.
CREATE INDEX album_members_by_account ON album_members (account_id);

-- A photo of an album is named by its own library (namespace) and file id, since file ids are unique
-- only within a namespace: a contribution is referenced where it lives, never copied. account_id is
-- who put it in the album, so a contribution leaves with its contributor.
ALTER TABLE album_photos ADD COLUMN photo_namespace_id uuid;
ALTER TABLE album_photos ADD COLUMN account_id uuid;
UPDATE album_photos ap SET photo_namespace_id = ap.namespace_id,
    account_id = (SELECT a.account_id FROM albums a WHERE a.namespace_id = ap.namespace_id AND a.album_id = ap.album_id);
ALTER TABLE album_photos ALTER COLUMN photo_namespace_id SET NOT NULL;
ALTER TABLE album_photos ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE album_photos DROP CONSTRAINT album_photos_pkey;
ALTER TABLE album_photos ADD PRIMARY KEY (namespace_id, album_id, photo_namespace_id, file_id);
-- A photo's albums, whichever library the albums are in (a deleted file hides from every one of them).
DROP INDEX album_photos_by_file;
CREATE INDEX album_photos_by_file ON album_photos (photo_namespace_id, file_id);

-- Albums and favourites, projected from cumulus.album-events.v1 by io.cumulus.photos.albums; every
-- timestamp comes from an event, so dropping these rows and their positions and replaying the topic
-- writes the same rows again.

-- One row per album ever created. A deleted album keeps its row, marked deleted, so that a later
-- event for it (or its CREATED delivered again) is recognised and ignored rather than bringing it back.
CREATE TABLE albums (
    namespace_id      uuid NOT NULL,
    album_id          uuid NOT NULL,
    account_id        uuid NOT NULL,            -- who created it
    name              text NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,     -- the last event that changed it
    deleted_at        timestamptz,
    PRIMARY KEY (namespace_id, album_id)
);
CREATE INDEX albums_live ON albums (namespace_id, created_at DESC) WHERE deleted_at IS NULL;

-- The photos of a live album, in the album's order (position 0, 1, 2, ...). A photo whose file is
-- deleted keeps its row here; readers join photos.photos, so it no longer shows.
CREATE TABLE album_photos (
    namespace_id      uuid NOT NULL,
    album_id          uuid NOT NULL,
    file_id           text NOT NULL,
    position          integer NOT NULL,
    added_at          timestamptz NOT NULL,
    PRIMARY KEY (namespace_id, album_id, file_id)
);
CREATE INDEX album_photos_order ON album_photos (namespace_id, album_id, position);
CREATE INDEX album_photos_by_file ON album_photos (namespace_id, file_id);

-- The photos a person marked as favourites.
CREATE TABLE favourites (
    namespace_id      uuid NOT NULL,
    file_id           text NOT NULL,
    favourited_at     timestamptz NOT NULL,
    PRIMARY KEY (namespace_id, file_id)
);

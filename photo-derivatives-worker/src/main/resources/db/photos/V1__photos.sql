-- The photo library, derived from cumulus.file-events.v1 by the photo derivatives worker; dropping
-- the schema and replaying the topic rebuilds it.

-- One row per file that is an image (or was recognised as one and could not be read), for its
-- current version. Files that are not images have no row.
CREATE TABLE photos (
    namespace_id      uuid NOT NULL,
    file_id           text NOT NULL,
    seq               bigint NOT NULL,          -- the file event this row describes
    path              text NOT NULL,
    content_key       text NOT NULL,            -- SHA-256 of the version's chunk ids: the ETag of its derivatives
    size              bigint NOT NULL,
    state             text NOT NULL CHECK (state IN ('ready', 'unreadable')),
    reason            text,                     -- why it is unreadable
    format            text,                     -- jpeg, png, webp, gif, tiff, heif, avif, raw-...
    taken_at          timestamptz NOT NULL,     -- the instant the photo was taken, as well as it is known
    taken_at_offset   integer,                  -- its UTC offset in minutes, when known
    taken_at_source   text NOT NULL CHECK (taken_at_source IN ('exif-offset', 'exif-local', 'gps', 'file')),
    width             integer,                  -- pixels, orientation applied
    height            integer,
    orientation       integer,                  -- EXIF orientation 1-8 of the original
    latitude          double precision,
    longitude         double precision,
    camera_make       text,
    camera_model      text,
    lens              text,
    thumbnail_id      text,                     -- chunk ids of the derivatives in the chunk store
    thumbnail_size    integer,
    preview_id        text,
    preview_size      integer,
    PRIMARY KEY (namespace_id, file_id)
);
-- The timeline: newest first, ties broken by file id so a cursor is stable.
CREATE INDEX photos_timeline ON photos (namespace_id, taken_at DESC, file_id DESC);

-- The derivatives of every version that had them, so the chunk collector keeps them while that
-- version is retained and releases them after (a derivative is referenced by nothing else).
CREATE TABLE derivatives (
    namespace_id      uuid NOT NULL,
    file_id           text NOT NULL,
    seq               bigint NOT NULL,
    chunk_id          text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('thumbnail', 'preview')),
    PRIMARY KEY (namespace_id, file_id, seq, kind)
);
CREATE INDEX derivatives_by_chunk ON derivatives (chunk_id);

-- Where the worker stands in each partition of the file events, written in the same transaction
-- as the rows a poll produced: a redelivered event is skipped by its offset.
CREATE TABLE consumer_positions (
    topic             text NOT NULL,
    partition         integer NOT NULL,
    next_offset       bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);

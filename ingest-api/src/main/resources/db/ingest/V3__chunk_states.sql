-- A chunk row now says where the chunk is in its life, so that the garbage collector and uploads and
-- commits can never disagree about whether its bytes exist:
--   uploading  a device is storing the bytes (the row is written before them, so that the collector,
--              which only deletes rows it has marked, cannot delete bytes an upload is writing);
--              an upload never finished becomes garbage after the grace period
--   stored     the bytes are durable under their verified SHA-256; only these can be committed or read
--   deleting   the collector has decided to delete it: it deletes the bytes, then the row; nothing
--              may commit, read or re-upload the chunk until the row is gone
ALTER TABLE chunks ADD COLUMN state text NOT NULL DEFAULT 'stored'
    CHECK (state IN ('uploading', 'stored', 'deleting'));
ALTER TABLE chunks ADD COLUMN last_uploaded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE chunks ADD COLUMN deleting_since timestamptz;
ALTER TABLE chunks ALTER COLUMN size DROP NOT NULL;
ALTER TABLE chunks DROP CONSTRAINT chunks_size_check;
ALTER TABLE chunks ADD CONSTRAINT chunks_size_known CHECK (state = 'uploading' OR size > 0);
ALTER TABLE chunks ADD CONSTRAINT chunks_deleting_since CHECK ((state = 'deleting') = (deleting_since IS NOT NULL));
UPDATE chunks SET last_uploaded_at = stored_at;
CREATE INDEX chunks_by_state ON chunks (state, last_uploaded_at);

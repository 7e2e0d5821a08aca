-- A file's history is its feed rows: read by file (history, trash, the chunk collector), and searched
-- by chunk when the collector re-checks that no retained version references a chunk it is about to
-- delete (chunks @> '[{"id": "<sha256>"}]').
CREATE INDEX feed_by_file ON feed (namespace_id, file_id, seq);
CREATE INDEX feed_by_chunk ON feed USING gin (chunks jsonb_path_ops);

-- A conflicted copy that waits for the text merge worker (file event field mergePending): devices do
-- not materialize it; it is deleted by the merge, or written again with this false when the merge fails.
ALTER TABLE feed ADD COLUMN merge_pending boolean NOT NULL DEFAULT false;
ALTER TABLE files ADD COLUMN merge_pending boolean NOT NULL DEFAULT false;

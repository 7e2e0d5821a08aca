-- A chunk the collector kept for a reason that holds until a known time (the thumbnail of a photo
-- version retained until then) is not looked at again before it: without it such chunks, which have
-- no reference count, would fill every sweep's candidates.
ALTER TABLE chunks ADD COLUMN recheck_after timestamptz;

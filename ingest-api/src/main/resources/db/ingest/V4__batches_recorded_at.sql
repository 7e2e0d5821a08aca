-- When a batch was recorded, by the database's clock: the same now() as the last_used_at its
-- commit gives its chunks in ingest.account_chunks (one transaction). The chunk collector trusts the
-- reference counts only for uses older than the oldest batch not reconciled yet, and compares the
-- two on one clock (accepted_at is the API's clock, which is the reconciler's input and may differ).
ALTER TABLE batches ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX batches_by_recorded_at ON batches (recorded_at);

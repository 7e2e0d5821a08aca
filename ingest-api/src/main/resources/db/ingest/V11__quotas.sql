-- Storage quotas (docs/decisions/0033). An account's usage is the unique bytes of the chunks the
-- retained versions (current, kept history, trash) of the namespaces it owns reference.

-- The account's quota in bytes; NULL: the server's default (cumulus.quota.default, 5GiB).
ALTER TABLE accounts ADD COLUMN quota_bytes bigint CHECK (quota_bytes IS NULL OR quota_bytes >= 0);

-- The usage last counted from the read model (readmodel.feed under the retention policy), and when.
-- The row is also the lock that orders one account's batches that add bytes: each sees what the one
-- before it charged.
CREATE TABLE account_usage (
    account_id      uuid PRIMARY KEY REFERENCES accounts (id),
    counted_bytes   bigint NOT NULL DEFAULT 0 CHECK (counted_bytes >= 0),
    counted_at      timestamptz                      -- NULL: never counted
);

-- The chunks an accepted batch added to its namespace owner's usage, until a count of the read model
-- includes them: a count first drops the charges of the batches the read model has decided
-- (readmodel.batch_outcomes), then reads the feed, so a batch is never missing from both.
CREATE TABLE usage_charges (
    account_id      uuid NOT NULL REFERENCES accounts (id),
    chunk_id        text NOT NULL,
    batch_id        uuid NOT NULL REFERENCES batches (id),
    size            bigint NOT NULL CHECK (size > 0),
    PRIMARY KEY (account_id, chunk_id, batch_id)
);
CREATE INDEX usage_charges_by_batch ON usage_charges (batch_id);

-- The audit log (docs/audit.md, docs/decisions/0028): one hash chain per account. Each entry's hash
-- covers its every field and the previous entry's hash, so an edited entry no longer matches its hash
-- and a removed one leaves a gap; the head row, written in the same transaction as each entry, holds
-- the last seq and hash, so removing the last entries is detected too. Appends to one account are
-- serialised by a row lock on its head. No foreign key to accounts: a record must never fail (and roll
-- back the caller's transaction) over the account row.
CREATE TABLE audit_entries (
    account_id      uuid NOT NULL,
    seq             bigint NOT NULL CHECK (seq > 0),
    at              timestamptz NOT NULL,
    action          text NOT NULL,
    actor_device    uuid,
    details         jsonb NOT NULL,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL,
    PRIMARY KEY (account_id, seq)
);

CREATE TABLE audit_heads (
    account_id      uuid PRIMARY KEY,
    last_seq        bigint NOT NULL CHECK (last_seq >= 0),
    last_hash       bytea NOT NULL,
    -- Set when the head was found missing and rebuilt from the last stored entry (that entry's seq):
    -- entries after it may have been removed with the head, so the verifier reports the chain from then on.
    rebuilt_after   bigint
);

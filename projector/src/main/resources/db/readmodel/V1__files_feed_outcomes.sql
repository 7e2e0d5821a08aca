-- Owned by the projector. Schema "readmodel": derived from the output topics only, so it can be
-- dropped and rebuilt by a replay. Every write is an upsert keyed so that a redelivery is a no-op.

-- Latest state of each file (from cumulus.file-events.v1; seq guards against going backwards).
CREATE TABLE files (
    namespace_id    uuid NOT NULL,
    file_id         text NOT NULL,
    path            text NOT NULL,
    deleted         boolean NOT NULL,
    vector          jsonb NOT NULL,          -- {"deviceId": counter, ...}
    chunks          jsonb NOT NULL,          -- [{"id": "<sha256>", "size": n}, ...]
    size            bigint NOT NULL,
    seq             bigint NOT NULL,
    device_id       text NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (namespace_id, file_id)
);
CREATE INDEX files_by_path ON files (namespace_id, path text_pattern_ops);

-- The namespace change feed: one row per file event, in sequence order.
CREATE TABLE feed (
    namespace_id    uuid NOT NULL,
    seq             bigint NOT NULL,
    file_id         text NOT NULL,
    path            text NOT NULL,
    op              text NOT NULL CHECK (op IN ('UPSERT', 'DELETE')),
    vector          jsonb NOT NULL,
    chunks          jsonb NOT NULL,
    size            bigint NOT NULL,
    device_id       text NOT NULL,
    batch_id        text NOT NULL,
    change_index    int NOT NULL,
    conflict_of     text,
    at              timestamptz NOT NULL,
    PRIMARY KEY (namespace_id, seq)
);

-- One verdict per change of a batch (from cumulus.outcomes.v1).
CREATE TABLE batch_outcomes (
    batch_id         text NOT NULL,
    change_index     int NOT NULL,
    namespace_id     uuid NOT NULL,
    device_id        text NOT NULL,
    file_id          text NOT NULL,
    path             text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('APPLIED', 'DUPLICATE', 'STALE', 'CONFLICT')),
    seq              bigint,
    conflict_file_id text,
    conflict_path    text,
    current_vector   jsonb NOT NULL,
    decided_at       timestamptz NOT NULL,
    PRIMARY KEY (batch_id, change_index)
);

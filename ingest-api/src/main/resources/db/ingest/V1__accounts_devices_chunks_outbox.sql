-- Owned by ingest-api. Schema "ingest": who may do what, which chunks exist and who may read
-- them, and the outbox through which accepted change batches reach Kafka.

CREATE TABLE accounts (
    id              uuid PRIMARY KEY,
    username        text NOT NULL,
    password_hash   text NOT NULL,           -- pbkdf2$iterations$salt$hash (PBKDF2WithHmacSHA256, base64)
    home_namespace  uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- "Alice" and "alice" are one person to a human reader, so they are one username.
CREATE UNIQUE INDEX accounts_username_unique ON accounts (lower(username));

CREATE TABLE namespaces (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('home', 'shared')),
    name            text NOT NULL,
    owner_account   uuid NOT NULL REFERENCES accounts (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE namespace_members (
    namespace_id    uuid NOT NULL REFERENCES namespaces (id),
    account_id      uuid NOT NULL REFERENCES accounts (id),
    role            text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    PRIMARY KEY (namespace_id, account_id)
);
CREATE INDEX namespace_members_by_account ON namespace_members (account_id);

-- A device token is 32 random bytes; only its SHA-256 is stored.
CREATE TABLE devices (
    id              uuid PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts (id),
    name            text NOT NULL,
    token_sha256    text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX devices_by_account ON devices (account_id);

-- Every chunk held by the blob store, once, whoever uploaded it. A row is written only after
-- the bytes are durable in the blob store under their verified SHA-256.
CREATE TABLE chunks (
    id              text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
    size            bigint NOT NULL CHECK (size > 0),
    stored_at       timestamptz NOT NULL DEFAULT now()
);

-- Which account may see a chunk: it uploaded it, or a batch of one of its namespaces references
-- it. The answer to "which chunks do you lack" is scoped to this table so no one can probe for
-- others' content. last_used_at feeds the garbage collector's grace period.
CREATE TABLE account_chunks (
    account_id      uuid NOT NULL REFERENCES accounts (id),
    chunk_id        text NOT NULL REFERENCES chunks (id),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, chunk_id)
);
CREATE INDEX account_chunks_by_chunk ON account_chunks (chunk_id);

-- One row per accepted batch; it is also the idempotency record (account, key) -> batch.
-- request_sha256 is the hash of the canonical request, so a retry can be told from a key reuse.
CREATE TABLE batches (
    id               uuid PRIMARY KEY,
    account_id       uuid NOT NULL REFERENCES accounts (id),
    device_id        uuid NOT NULL REFERENCES devices (id),
    namespace_id     uuid NOT NULL REFERENCES namespaces (id),
    idempotency_key  text NOT NULL,
    request_sha256   text NOT NULL,
    change_count     int NOT NULL CHECK (change_count > 0),
    accepted_at      timestamptz NOT NULL,
    UNIQUE (account_id, idempotency_key)
);

-- Tailed by the outbox relay (Debezium). payload: a ChangeBatchSubmitted in Avro single-object encoding.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    batch_id        uuid NOT NULL UNIQUE REFERENCES batches (id),
    namespace_id    uuid NOT NULL,
    payload         bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

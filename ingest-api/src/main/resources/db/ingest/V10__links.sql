-- Public links (docs/links.md, decision 0031): a read-only view of one file, one folder or one album
-- of a namespace, for whoever holds the token. The token is 32 random bytes (base64url); only its
-- SHA-256 is stored, so a copy of this table opens no link. Revocation and expiry are read from here
-- on every request through a link, so they hold at once on every instance.
CREATE TABLE links (
    id              uuid PRIMARY KEY,
    token_sha256    text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    account_id      uuid NOT NULL REFERENCES accounts (id),      -- who made it
    namespace_id    uuid NOT NULL REFERENCES namespaces (id),
    kind            text NOT NULL CHECK (kind IN ('file', 'folder', 'album')),
    target          text NOT NULL,           -- a file id, a folder path (no trailing '/'), or an album id
    expires_at      timestamptz,             -- null: until revoked
    password_hash   text,                    -- PasswordHasher's format; null: no password
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX links_by_account ON links (account_id, created_at DESC);
CREATE INDEX links_by_namespace ON links (namespace_id);

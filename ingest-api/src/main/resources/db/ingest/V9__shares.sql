-- Shared folders (docs/decisions/0029-shared-folders-on-the-server.md). A share is a namespace of kind
-- 'shared'; each member mounts it at a path of their own choosing inside their synced tree, the same on
-- every one of their devices. Home namespaces are mounted at the root and have no mount path.
ALTER TABLE namespace_members ADD COLUMN mount_path text;
ALTER TABLE namespace_members ADD CONSTRAINT namespace_members_mount_path_not_empty
    CHECK (mount_path IS NULL OR mount_path <> '');

-- Pending invitations, one per (share, username). The username is stored lowercased whether or not an
-- account has it, so that inviting a name nobody has looks exactly like inviting one somebody has; an
-- account created later with that name finds the invitation. Accepting or declining deletes the row,
-- as does the owner withdrawing it. The role is never 'owner': ownership only moves by transfer.
CREATE TABLE share_invitations (
    namespace_id    uuid NOT NULL REFERENCES namespaces (id),
    username        text NOT NULL CHECK (username = lower(username)),
    role            text NOT NULL CHECK (role IN ('editor', 'viewer')),
    invited_by      uuid NOT NULL REFERENCES accounts (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace_id, username)
);
CREATE INDEX share_invitations_by_username ON share_invitations (username);

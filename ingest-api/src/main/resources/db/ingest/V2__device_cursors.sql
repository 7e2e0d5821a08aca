-- How far each device has read each namespace's change feed (GET /v1/namespaces/{ns}/changes?after=N
-- records N). Only ever moves forward. With the sync state on Cassandra, the cursors live there instead.
CREATE TABLE device_cursors (
    namespace_id    uuid NOT NULL REFERENCES namespaces (id),
    device_id       uuid NOT NULL REFERENCES devices (id),
    seq             bigint NOT NULL CHECK (seq >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace_id, device_id)
);

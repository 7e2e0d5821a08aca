-- Per namespace, the highest counter each version-vector entry (a device id, or server:<device id>
-- for changes the server made on its behalf) has claimed for itself in an accepted batch. The intake
-- refuses a vector that counts more edits of another entry than this: no device can have seen them.
-- Written in the transaction that stores the batch.
CREATE TABLE device_counters (
    namespace_id    uuid NOT NULL REFERENCES namespaces (id),
    device          text NOT NULL,
    max_counter     bigint NOT NULL CHECK (max_counter > 0),
    PRIMARY KEY (namespace_id, device)
);

-- The counters of batches accepted before this table existed, from the read model when the projector
-- keeps it in this database: every counter in an applied version was claimed by its device once.
DO $$
BEGIN
    IF to_regclass('readmodel.feed') IS NOT NULL THEN
        INSERT INTO ingest.device_counters (namespace_id, device, max_counter)
        SELECT f.namespace_id, e.key, max(e.value::bigint)
        FROM readmodel.feed f CROSS JOIN LATERAL jsonb_each_text(f.vector) AS e(key, value)
        WHERE f.namespace_id IN (SELECT id FROM ingest.namespaces) AND e.value::bigint > 0
        GROUP BY f.namespace_id, e.key
        ON CONFLICT (namespace_id, device) DO UPDATE
        SET max_counter = greatest(device_counters.max_counter, excluded.max_counter);
    END IF;
    IF to_regclass('readmodel.files') IS NOT NULL THEN
        INSERT INTO ingest.device_counters (namespace_id, device, max_counter)
        SELECT f.namespace_id, e.key, max(e.value::bigint)
        FROM readmodel.files f CROSS JOIN LATERAL jsonb_each_text(f.vector) AS e(key, value)
        WHERE f.namespace_id IN (SELECT id FROM ingest.namespaces) AND e.value::bigint > 0
        GROUP BY f.namespace_id, e.key
        ON CONFLICT (namespace_id, device) DO UPDATE
        SET max_counter = greatest(device_counters.max_counter, excluded.max_counter);
    END IF;
END $$;

-- Owned by chunk-gc-worker. Schema "gc": how many retained file versions and trash entries
-- reference each chunk, counted from cumulus.chunk-refs.v1 exactly once.

-- One row per chunk that a reference delta has ever named. ref_count is the sum of the deltas;
-- it is never negative unless a delta was lost or invented upstream, and a negative count is a
-- bug the garbage collector reports and never acts on. last_referenced_at is the latest event time
-- ("at") of any delta of the chunk, +1 or -1: until a release the chunk was referenced.
-- Upload times are not copied here: ingest.chunks.stored_at and ingest.account_chunks.last_used_at
-- are read when a deletion is decided.
CREATE TABLE chunk_store (
    chunk_id            text PRIMARY KEY CHECK (chunk_id ~ '^[0-9a-f]{64}$'),
    ref_count           bigint NOT NULL,
    last_referenced_at  timestamptz
);
-- The candidates of a sweep: chunks no retained version references (negative ones to be reported).
CREATE INDEX chunk_store_unreferenced ON chunk_store (chunk_id) WHERE ref_count <= 0;

-- How far each partition of a topic has been counted: the offset of the next record to apply.
-- Written in the same transaction as the counts it covers, so a redelivered record (a crash
-- between this commit and Kafka's offset commit, a rebalance, a replay by a new consumer group)
-- is recognised by its offset and skipped. Kafka's committed offsets only show progress.
CREATE TABLE consumer_positions (
    topic               text NOT NULL,
    partition           integer NOT NULL CHECK (partition >= 0),
    next_offset         bigint NOT NULL CHECK (next_offset >= 0),
    PRIMARY KEY (topic, partition)
);

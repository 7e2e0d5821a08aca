-- How far each partition of the projected topics is in these tables: the offset of the next record to
-- project, written in the same transaction as the rows it covers. The projector starts each partition
-- it is given here, and leaves out whatever a position has passed, so a read model that replaced this
-- one (a rebuild into a new generation, docs/decisions/0034) is continued where it stands, whatever the
-- consumer group's offsets say. Kafka's committed offsets only show progress.
CREATE TABLE consumer_positions (
    topic               text NOT NULL,
    partition           integer NOT NULL CHECK (partition >= 0),
    next_offset         bigint NOT NULL CHECK (next_offset >= 0),
    PRIMARY KEY (topic, partition)
);

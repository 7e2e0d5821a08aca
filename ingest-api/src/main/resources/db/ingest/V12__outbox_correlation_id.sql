-- The correlation id of the request that submitted a batch (docs/decisions/0039): the outbox relay
-- publishes it as the Kafka record header cumulus-correlation-id. Null for batches accepted before it
-- existed, and for work that had none.
ALTER TABLE outbox ADD COLUMN correlation_id text;

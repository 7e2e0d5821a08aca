-- Whether a batch was the server acting on the device's behalf (a restore, an undelete, a conflict
-- resolution) rather than the device's own edits sent through POST /v1/changes. The change feed may
-- leave out of a device's page the events that are exactly what the device itself sent (it learnt
-- their seq and vector from the batch's outcomes); never those of a batch made on its behalf.
-- NULL for the batches accepted before this column: unknown, so never left out.
ALTER TABLE batches ADD COLUMN on_behalf boolean;

-- The derived stores whose positions the chunk collector has seen cover their topic (the optional ones:
-- the photo library, which runs only where the photo worker does). From then on the collector deletes
-- nothing while such a store's positions are missing or short of a partition with records, so a photo
-- library lost or emptied is waited for (until rebuilt), never read as "no photo keeps this chunk".
CREATE TABLE gc_guarded_stores (
    store       text NOT NULL,
    topic       text NOT NULL,
    since       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, topic)
);

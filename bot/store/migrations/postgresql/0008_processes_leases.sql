-- Several processes: each one's heartbeat and shards (for /admin status), and the lease on a
-- delivery being sent: which process holds it and until when. Only the holder records the
-- outcome; a lease that ran out (its process died) may be taken over.
CREATE TABLE processes (
    id            TEXT PRIMARY KEY,   -- host:pid:random, new at every start
    host          TEXT NOT NULL,
    pid           BIGINT NOT NULL,
    shards        TEXT NOT NULL,      -- '0-3 of 8', or 'all'
    sender        INTEGER NOT NULL DEFAULT 0,  -- 1: the process that sends (0/1 in both)
    started_at    BIGINT NOT NULL,
    heartbeat_at  BIGINT NOT NULL
);

ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until BIGINT;

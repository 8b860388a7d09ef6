-- A generic outbox: a notification is a kind and a JSON payload, so that a new kind needs no
-- migration. `series` groups what is retired together (every notification of the premiere's
-- plan); `audience` says whom expansion reaches. The old premiere and update columns move into
-- the payload; an update's text is copied in, so the message no longer needs a join.
-- (SQLite rebuilds the table; PostgreSQL alters it in place. JSON stays TEXT in both.)
ALTER TABLE notifications
    ADD COLUMN payload  TEXT NOT NULL DEFAULT '{}',
    ADD COLUMN series   TEXT,
    ADD COLUMN audience TEXT NOT NULL DEFAULT 'broadcast',
    DROP CONSTRAINT notifications_kind_check;

UPDATE notifications n SET
    payload = CASE WHEN n.kind = 'update'
                   THEN jsonb_build_object(
                       'update_id', n.update_id,
                       'text', COALESCE((SELECT u.text FROM updates u WHERE u.id = n.update_id), ''),
                       'source', (SELECT u.source FROM updates u WHERE u.id = n.update_id))
                   ELSE jsonb_build_object('revision', n.revision, 'starts_at', n.starts_at,
                                           'note', n.note)
              END::text,
    series = CASE WHEN n.kind = 'update' THEN NULL ELSE 'premiere' END;

ALTER TABLE notifications
    DROP COLUMN revision,
    DROP COLUMN starts_at,
    DROP COLUMN note,
    DROP COLUMN update_id;
CREATE INDEX notifications_series ON notifications (series, state);

-- Scheduled events are synced by a background job that resumes after a restart: it records
-- which premiere revision each server's event shows (0: never synced; no event: NULL id).
ALTER TABLE scheduled_events
    ALTER COLUMN event_id DROP NOT NULL,
    ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
UPDATE scheduled_events SET revision = COALESCE((SELECT revision FROM premiere WHERE id = 1), 0);

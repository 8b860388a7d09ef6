-- A generic outbox: a notification is a kind and a JSON payload, so that a new kind needs no
-- migration. `series` groups what is retired together (every notification of the premiere's
-- plan); `audience` says whom expansion reaches. The old premiere and update columns move into
-- the payload; an update's text is copied in, so the message no longer needs a join.
CREATE TABLE notifications_new (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}',
    series      TEXT,
    audience    TEXT NOT NULL DEFAULT 'broadcast',
    due_at      INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'scheduled'
                CHECK (state IN ('scheduled', 'expanded', 'cancelled', 'missed')),
    created_at  INTEGER NOT NULL
);

INSERT INTO notifications_new
    (id, kind, payload, series, audience, due_at, expires_at, state, created_at)
SELECT n.id, n.kind,
       CASE WHEN n.kind = 'update'
            THEN json_object('update_id', n.update_id, 'text', COALESCE(u.text, ''),
                             'source', u.source)
            ELSE json_object('revision', n.revision, 'starts_at', n.starts_at, 'note', n.note)
       END,
       CASE WHEN n.kind = 'update' THEN NULL ELSE 'premiere' END,
       'broadcast', n.due_at, n.expires_at, n.state, n.created_at
FROM notifications n LEFT JOIN updates u ON u.id = n.update_id;

DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (state, due_at);
CREATE INDEX notifications_series ON notifications (series, state);

-- Scheduled events are synced by a background job that resumes after a restart: it records
-- which premiere revision each server's event shows (0: never synced; no event: NULL id).
CREATE TABLE scheduled_events_new (
    guild_id  INTEGER PRIMARY KEY,
    event_id  INTEGER,
    revision  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO scheduled_events_new (guild_id, event_id, revision)
SELECT guild_id, event_id, COALESCE((SELECT revision FROM premiere WHERE id = 1), 0)
FROM scheduled_events;
DROP TABLE scheduled_events;
ALTER TABLE scheduled_events_new RENAME TO scheduled_events;

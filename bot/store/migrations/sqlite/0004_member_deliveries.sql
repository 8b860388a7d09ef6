-- Deliveries gain a 'role' target (the notification role given to a member who subscribed,
-- queued like a message so a burst of subscriptions is answered at once), and the time the
-- current attempt began: an attempt that began and has no outcome may have reached Discord,
-- so the bot looks for its message before sending it again.
CREATE TABLE deliveries_new (
    id                  INTEGER PRIMARY KEY,
    notification_id     INTEGER NOT NULL REFERENCES notifications (id),
    target              TEXT NOT NULL CHECK (target IN ('channel', 'dm', 'role')),
    guild_id            INTEGER NOT NULL,
    channel_id          INTEGER,    -- the announcement channel, for 'channel'
    role_id             INTEGER,    -- the role to ping ('channel') or to give ('role')
    user_id             INTEGER,    -- the subscriber, for 'dm' and 'role'
    locale              TEXT NOT NULL DEFAULT 'en-US',
    state               TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'sent', 'failed', 'missed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    attempt_started_at  INTEGER,
    next_attempt_at     INTEGER NOT NULL,
    last_error          TEXT,
    message_id          INTEGER,
    sent_at             INTEGER
);
INSERT INTO deliveries_new
    (id, notification_id, target, guild_id, channel_id, role_id, user_id, locale, state,
     attempts, attempt_started_at, next_attempt_at, last_error, message_id, sent_at)
SELECT id, notification_id, target, guild_id, channel_id, role_id, user_id, locale, state,
       attempts, NULL, next_attempt_at, last_error, message_id, sent_at
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE UNIQUE INDEX deliveries_channel_once ON deliveries (notification_id, guild_id)
    WHERE target = 'channel';
CREATE UNIQUE INDEX deliveries_dm_once ON deliveries (notification_id, user_id)
    WHERE target = 'dm';
CREATE UNIQUE INDEX deliveries_role_once ON deliveries (notification_id, guild_id, user_id)
    WHERE target = 'role';
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_of_notification ON deliveries (notification_id, state);

-- Whoever waits on a notification through an interaction: the moderator whose confirmation
-- shows the fan-out's progress, or the member told by a followup when their DMs are closed.
-- An interaction token lasts 15 minutes.
CREATE TABLE followups (
    notification_id  INTEGER PRIMARY KEY REFERENCES notifications (id),
    application_id   INTEGER NOT NULL,
    token            TEXT NOT NULL,
    locale           TEXT NOT NULL,
    purpose          TEXT NOT NULL CHECK (purpose IN ('progress', 'member')),
    expires_at       INTEGER NOT NULL,
    done             INTEGER NOT NULL DEFAULT 0
);

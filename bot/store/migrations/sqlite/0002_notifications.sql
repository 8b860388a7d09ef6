-- Premiere notifications: subscriptions, the premiere, updates, and the durable delivery queue.
CREATE TABLE subscriptions (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    via        TEXT NOT NULL CHECK (via IN ('role', 'dm', 'both')),
    user_name  TEXT NOT NULL,
    locale     TEXT NOT NULL DEFAULT 'en-US',   -- DMs are written in the member's language
    since      INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- One DM channel per user, so that each later DM costs one request.
CREATE TABLE dm_channels (
    user_id     INTEGER PRIMARY KEY,
    channel_id  INTEGER,
    closed_at   INTEGER          -- Discord said 50007: never retried until they subscribe again
);

-- The show-wide premiere (one row). `revision` grows with every change, so a reminder
-- planned for an older date can be recognised as stale.
CREATE TABLE premiere (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    starts_at   INTEGER,         -- UTC unix seconds; NULL when not announced
    timezone    TEXT,
    note        TEXT,
    revision    INTEGER NOT NULL,
    set_by      INTEGER,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE updates (
    id         INTEGER PRIMARY KEY,
    text       TEXT NOT NULL,
    source     TEXT,
    posted_by  INTEGER NOT NULL,
    posted_at  INTEGER NOT NULL
);

-- What is to be announced, and when. Expanded into deliveries when it comes due, so that
-- a member who subscribes after the date was set still gets the reminders.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN
                ('date_set', 'date_cleared', 'update', 'reminder_7d', 'reminder_1d',
                 'reminder_1h', 'premiere')),
    revision    INTEGER,         -- the premiere revision it belongs to
    starts_at   INTEGER,         -- the premiere it speaks of (snapshot)
    note        TEXT,
    update_id   INTEGER REFERENCES updates (id),
    due_at      INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL, -- past this it is no longer relevant: marked missed
    state       TEXT NOT NULL DEFAULT 'scheduled'
                CHECK (state IN ('scheduled', 'expanded', 'cancelled', 'missed')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications (state, due_at);

-- One row per message to send: a server's announcement channel, or one DM subscriber.
-- The row exists before anything is sent; its id makes the message nonce.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    target           TEXT NOT NULL CHECK (target IN ('channel', 'dm')),
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER,    -- the announcement channel, for 'channel'
    role_id          INTEGER,    -- the role to ping, for 'channel'
    user_id          INTEGER,    -- the subscriber, for 'dm'
    locale           TEXT NOT NULL DEFAULT 'en-US',
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'missed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    message_id       INTEGER,
    sent_at          INTEGER
);
CREATE UNIQUE INDEX deliveries_channel_once ON deliveries (notification_id, guild_id)
    WHERE target = 'channel';
CREATE UNIQUE INDEX deliveries_dm_once ON deliveries (notification_id, user_id)
    WHERE target = 'dm';
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

-- The Discord scheduled event we created for the premiere in each server.
CREATE TABLE scheduled_events (
    guild_id  INTEGER PRIMARY KEY,
    event_id  INTEGER NOT NULL
);

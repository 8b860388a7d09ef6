-- Deliveries gain a 'role' target (the notification role given to a member who subscribed,
-- queued like a message so a burst of subscriptions is answered at once), and the time the
-- current attempt began: an attempt that began and has no outcome may have reached Discord,
-- so the bot looks for its message before sending it again.
ALTER TABLE deliveries
    DROP CONSTRAINT deliveries_target_check,
    ADD CONSTRAINT deliveries_target_check CHECK (target IN ('channel', 'dm', 'role')),
    ADD COLUMN attempt_started_at BIGINT;
CREATE UNIQUE INDEX deliveries_role_once ON deliveries (notification_id, guild_id, user_id)
    WHERE target = 'role';
CREATE INDEX deliveries_of_notification ON deliveries (notification_id, state);

-- Whoever waits on a notification through an interaction: the moderator whose confirmation
-- shows the fan-out's progress, or the member told by a followup when their DMs are closed.
-- An interaction token lasts 15 minutes.
CREATE TABLE followups (
    notification_id  BIGINT PRIMARY KEY REFERENCES notifications (id),
    application_id   BIGINT NOT NULL,
    token            TEXT NOT NULL,
    locale           TEXT NOT NULL,
    purpose          TEXT NOT NULL CHECK (purpose IN ('progress', 'member')),
    expires_at       BIGINT NOT NULL,
    done             BIGINT NOT NULL DEFAULT 0
);

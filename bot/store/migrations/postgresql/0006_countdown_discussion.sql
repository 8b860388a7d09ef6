-- A channel whose name the bot keeps as a countdown to the premiere, and whether the
-- premiere post opens a discussion thread (0/1: an integer, as SQLite and PostgreSQL share).
ALTER TABLE guild_settings ADD COLUMN countdown_channel_id BIGINT;
ALTER TABLE guild_settings ADD COLUMN discussion BIGINT NOT NULL DEFAULT 0;

-- What the bot last made of each countdown channel's name: the name it asked for, the name
-- Discord stored (a text channel's is lowercased, with dashes), when, and when it may try
-- again after a 429. Discord allows two renames per channel in ten minutes: kept here so
-- that a restart neither renames again nor breaks the limit.
CREATE TABLE countdown_channels (
    channel_id  BIGINT PRIMARY KEY,
    asked       TEXT,           -- NULL: never renamed (only held back by a 429)
    shown       TEXT,
    renamed_at  BIGINT NOT NULL DEFAULT 0,
    retry_at    BIGINT NOT NULL DEFAULT 0
);

-- Foundation: key/value metadata (command-sync fingerprints) and per-server settings.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE guild_settings (
    guild_id     INTEGER PRIMARY KEY,
    channel_id   INTEGER,           -- announcement channel
    role_id      INTEGER,           -- notification role (the only thing the bot may ping)
    mod_role_id  INTEGER,           -- members with it may use /admin
    locale       TEXT NOT NULL DEFAULT 'en-US',  -- the server's language, for its announcements
    updated_at   INTEGER NOT NULL
);

-- Every admin action: who, what, when, old and new value.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER,
    user_id    INTEGER NOT NULL,
    action     TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    at         INTEGER NOT NULL
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id);

-- Episode rooms: season 2's episode count (show-wide), each server's rooms (a category, one
-- text room and one progress role per episode, and the room's pinned rule), and each member's
-- progress: the episode they said they have watched up to, the rest of their roles as their
-- last interaction showed them (a role change replaces the whole list), and what Discord was
-- last given (NULL: not yet). A later /watched overwrites `wanted`; the delivery that applies
-- it reads the row, so an earlier one not yet applied is superseded.
CREATE TABLE episode_count (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    count       INTEGER NOT NULL,
    set_by      INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE episode_servers (
    guild_id     INTEGER PRIMARY KEY,
    enabled      INTEGER NOT NULL DEFAULT 0,
    category_id  INTEGER,
    locale       TEXT NOT NULL DEFAULT 'en-US',
    updated_at   INTEGER NOT NULL
);

CREATE TABLE episode_rooms (
    guild_id    INTEGER NOT NULL,
    episode     INTEGER NOT NULL,
    channel_id  INTEGER,
    role_id     INTEGER,
    message_id  INTEGER,            -- the pinned rule
    has_button  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, episode)
);

CREATE TABLE episode_progress (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    wanted      INTEGER NOT NULL,
    roles       TEXT NOT NULL DEFAULT '[]',
    applied     INTEGER,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX episode_progress_at ON episode_progress (guild_id, wanted);

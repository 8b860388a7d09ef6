-- News feeds the bot watches (show-wide: one row per URL, so one fetch per URL), and every
-- item it has seen, kept so that a story is new only once: by GUID, by its link without
-- tracking parameters, and (checked in code) by a near-identical title.
CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL DEFAULT '',
    mode            TEXT NOT NULL CHECK (mode IN ('review', 'auto')),
    keywords        TEXT NOT NULL,              -- JSON list of strings
    added_by        INTEGER NOT NULL,
    added_at        INTEGER NOT NULL,
    etag            TEXT,
    last_modified   TEXT,
    checked_at      INTEGER,
    next_check_at   INTEGER NOT NULL,
    last_item_at    INTEGER,
    last_error      TEXT,
    failing_since   INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE feed_items (
    id                 INTEGER PRIMARY KEY,
    feed_id            INTEGER,                 -- the feed that first brought it
    guid               TEXT,
    link               TEXT,                    -- canonical: a key to compare, not to visit
    url                TEXT,                    -- the link as the feed gave it, to show
    title              TEXT NOT NULL,
    summary            TEXT NOT NULL DEFAULT '',
    source             TEXT NOT NULL DEFAULT '',
    published_at       INTEGER,
    seen_at            INTEGER NOT NULL,
    state              TEXT NOT NULL
                       CHECK (state IN ('seen', 'pending', 'approved', 'dismissed', 'announced')),
    decided_by         INTEGER,
    decided_at         INTEGER
);
CREATE UNIQUE INDEX feed_items_guid ON feed_items (guid) WHERE guid IS NOT NULL;
CREATE UNIQUE INDEX feed_items_link ON feed_items (link) WHERE link IS NOT NULL;
CREATE INDEX feed_items_recent ON feed_items (seen_at);

-- The home server's channel where feed items wait for a moderator's review.
ALTER TABLE guild_settings ADD COLUMN review_channel_id INTEGER;

-- What each process knows of its own servers' scheduled events (from its gateway cache), so
-- that whichever process answers /admin release can speak for all of them: how many servers
-- may have the event, and the names of those where the bot may not manage events (JSON).
ALTER TABLE processes ADD COLUMN event_servers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE processes ADD COLUMN events_refused TEXT NOT NULL DEFAULT '[]';

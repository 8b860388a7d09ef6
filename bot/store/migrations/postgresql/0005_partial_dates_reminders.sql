-- A premiere known only to the year or month ('2026', '2026-09'), kept exactly as said;
-- `starts_at` stays NULL until the day is known.
ALTER TABLE premiere ADD COLUMN expected TEXT;

-- Which timed reminders a DM subscriber wants: 'all' (7 days, 1 day, 1 hour), 'day' (1 day,
-- 1 hour) or 'premiere' (none). The premiere and date announcements reach every one.
ALTER TABLE subscriptions ADD COLUMN reminders TEXT NOT NULL DEFAULT 'all'
    CHECK (reminders IN ('all', 'day', 'premiere'));

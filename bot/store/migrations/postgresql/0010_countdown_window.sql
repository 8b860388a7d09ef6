-- Discord allows two renames of a channel in any ten minutes. With `renamed_at`, the bot's
-- rename before its last one: the two that can share a window. And the premiere revision the
-- name was last made (or found) right for: a new or moved date may take the second rename of
-- a window, the clock's own changes (a day or an hour fewer) only the first.
ALTER TABLE countdown_channels ADD COLUMN renamed_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE countdown_channels ADD COLUMN premiere_revision BIGINT NOT NULL DEFAULT 0;

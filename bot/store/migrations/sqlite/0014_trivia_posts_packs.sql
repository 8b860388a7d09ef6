-- A daily question's post is the notification that posts it: the question that closes it
-- edits that message (its answer shown, its buttons gone).
ALTER TABLE trivia_questions ADD COLUMN notification_id INTEGER;

-- A game may draw from one question pack only (its file name); NULL: every question of its
-- language.
ALTER TABLE trivia_games ADD COLUMN pack TEXT;

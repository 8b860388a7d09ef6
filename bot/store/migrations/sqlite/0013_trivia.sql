-- Trivia: each server's daily-question channel and hour, its games, every question posted
-- (in a game or as a server's question of the day), every press on a question's buttons, and
-- the points they won.

-- `since`: when the channel was set; a day whose hour came before it is not posted.
CREATE TABLE trivia_settings (
    guild_id    INTEGER PRIMARY KEY,
    channel_id  INTEGER,
    hour        INTEGER NOT NULL DEFAULT 12 CHECK (hour BETWEEN 0 AND 23),
    since       INTEGER NOT NULL
);

-- One running game per channel. `owner`: the process that runs it; a game whose process is
-- gone is ended by another (or the next run), its points kept.
CREATE TABLE trivia_games (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    started_by  INTEGER NOT NULL,
    owner       TEXT NOT NULL,
    lang        TEXT NOT NULL,
    rounds      INTEGER NOT NULL,
    seconds     INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'ended')),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
CREATE UNIQUE INDEX trivia_games_one_per_channel ON trivia_games (channel_id)
    WHERE state = 'running';

-- A question as it was posted: its words and choices in the server's language, the right
-- choice's index, and until when it is open (NULL: until revealed, as a daily question is
-- by the next day's). `day` ('YYYY-MM-DD', UTC) is set for a daily question: one per server
-- per day, whatever the processes and restarts.
CREATE TABLE trivia_questions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    game_id      INTEGER REFERENCES trivia_games (id),
    round        INTEGER NOT NULL DEFAULT 0,
    day          TEXT,
    question_key TEXT NOT NULL,
    lang         TEXT NOT NULL,
    prompt       TEXT NOT NULL,
    choices      TEXT NOT NULL,              -- JSON list of four strings
    correct      INTEGER NOT NULL,
    opened_at    INTEGER NOT NULL,
    closes_at    INTEGER,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'revealed')),
    message_id   INTEGER,
    right_count  INTEGER NOT NULL DEFAULT 0,
    answer_count INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX trivia_questions_daily ON trivia_questions (guild_id, day)
    WHERE day IS NOT NULL;
CREATE INDEX trivia_questions_of_game ON trivia_questions (game_id, round);
CREATE INDEX trivia_questions_open ON trivia_questions (state, guild_id);

-- A member's press: the first one counts, a burst scores each member once.
CREATE TABLE trivia_answers (
    question_id INTEGER NOT NULL REFERENCES trivia_questions (id),
    user_id     INTEGER NOT NULL,
    choice      INTEGER NOT NULL,
    correct     INTEGER NOT NULL,            -- 0/1
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (question_id, user_id)
);

-- Points on a server's leaderboard: one per right answer, added when its question is
-- revealed (once: the reveal is a change of the question's state).
CREATE TABLE trivia_points (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    points      INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX trivia_points_rank ON trivia_points (guild_id, points);

"""Trivia without Discord or SQL: questions made from the show's facts (`questions`), question
packs in Red-DiscordBot's trivia-list format (`packs`), and the bank a game draws from
(`bank`)."""

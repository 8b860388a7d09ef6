"""The premiere: its reminder plan and expiry rules, dates as moderators type them, and the
jobs that keep each server's scheduled event and countdown channel in step with it."""

PREMIERE = "premiere"  # wake topic: the stored premiere changed (every process's servers)
COUNTDOWN = "countdown"  # wake topic: a server's countdown channel was set

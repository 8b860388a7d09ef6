"""Text from members, moderators and feeds is untrusted: bounded and cleaned before it is kept
(`bot.ui.escape` escapes it where it is shown)."""

from __future__ import annotations

import re

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_input(text: str, limit: int) -> str:
    """Trimmed, without invisible characters, at most `limit` characters."""
    return _INVISIBLE.sub("", text).strip()[:limit]

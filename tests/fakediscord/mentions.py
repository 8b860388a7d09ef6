"""Who a message would ping, by Discord's allowed_mentions rules.

Only ``content`` can ping (never embeds). Without ``allowed_mentions`` everything in the
content pings; with it, ``parse`` opts whole kinds in and ``users``/``roles`` list the ids
that may ping. ``@here`` counts as everyone. Permissions (MENTION_EVERYONE, a role's
``mentionable``) are deliberately ignored: this reports what the bot *asked* Discord to
ping, the worst case, so tests catch unsafe mentions even if a server lacks the permission.
"""

from __future__ import annotations

import re
from typing import Any

_EVERYONE = re.compile(r"@(everyone|here)")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")


def _ids(pattern: re.Pattern[str], content: str) -> list[int]:
    return list(dict.fromkeys(int(m) for m in pattern.findall(content)))


def pinged(
    content: str | None,
    allowed_mentions: dict[str, Any] | None,
    *,
    replied_user_id: int | None = None,
) -> dict[str, Any]:
    """``{"everyone": bool, "roles": [ids], "users": [ids]}`` for one message."""
    text = content or ""
    everyone = bool(_EVERYONE.search(text))
    users, roles = _ids(_USER, text), _ids(_ROLE, text)

    if allowed_mentions is None:
        if replied_user_id is not None and replied_user_id not in users:
            users.append(replied_user_id)
        return {"everyone": everyone, "roles": roles, "users": users}

    parse = allowed_mentions.get("parse") or []
    allowed_users = {int(u) for u in allowed_mentions.get("users") or []}
    allowed_roles = {int(r) for r in allowed_mentions.get("roles") or []}
    if "users" not in parse:
        users = [u for u in users if u in allowed_users]
    if "roles" not in parse:
        roles = [r for r in roles if r in allowed_roles]
    if (
        allowed_mentions.get("replied_user")
        and replied_user_id is not None
        and replied_user_id not in users
    ):
        users.append(replied_user_id)
    return {"everyone": everyone and "everyone" in parse, "roles": roles, "users": users}

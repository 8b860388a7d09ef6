"""Messages the bot created: building Discord message objects, edits, nonces, attachments.

Stored messages are Discord message dicts plus private keys (never sent to the bot):
``_pinged`` (see mentions.py), ``_files`` [(name, bytes)], ``_source`` ("channel",
"interaction" or "followup"), ``_deleted`` and ``_allowed_mentions``.
"""

from __future__ import annotations

import copy
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from .mentions import pinged
from .models import FakeMember, iso_now, new_id

NONCE_WINDOW_S = 300.0
_EDITABLE = ("content", "embeds", "components", "flags", "poll")


def public(message: dict[str, Any]) -> dict[str, Any]:
    """The message as Discord would send it (private keys stripped)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if not k.startswith("_")}


def snapshot(message: dict[str, Any]) -> dict[str, Any]:
    """A copy for tests: the public message plus ``_pinged`` and ``_files``."""
    return {
        **public(message),
        "_pinged": copy.deepcopy(message["_pinged"]),
        "_files": list(message["_files"]),
    }


class MessageStore:
    def __init__(self, attachment_url: Callable[[int, int, str], str]) -> None:
        self._attachment_url = attachment_url
        self.by_id: dict[int, dict[str, Any]] = {}
        self.attachments: dict[int, bytes] = {}
        self._nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self.nonce_window_s = NONCE_WINDOW_S  # how long Discord remembers a nonce

    # -- nonce de-duplication --
    def find_by_nonce(self, channel_id: int, author_id: int, nonce: Any) -> dict[str, Any] | None:
        hit = self._nonces.get((channel_id, author_id, str(nonce)))
        if hit is None or time.monotonic() - hit[1] > self.nonce_window_s:
            return None
        message = self.by_id.get(hit[0])
        return None if message is None or message["_deleted"] else message

    # -- create / edit / delete --
    def create(
        self,
        *,
        channel_id: int,
        author: FakeMember,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        source: str,
        guild_id: int | None = None,
        extra: dict[str, Any] | None = None,
        user_lookup: Callable[[int], FakeMember | None] = lambda _: None,
    ) -> dict[str, Any]:
        message_id = new_id()
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author.user_payload(),
            "content": "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "_files": [],
            "_source": source,
            "_deleted": False,
        }
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
            key = (channel_id, author.id, str(body["nonce"]))
            self._nonces[key] = (message_id, time.monotonic())
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
            message["type"] = 19
        message.update(extra or {})
        self._apply(message, body, files, user_lookup)
        self.by_id[message_id] = message
        return message

    def edit(
        self,
        message: dict[str, Any],
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        user_lookup: Callable[[int], FakeMember | None] = lambda _: None,
    ) -> dict[str, Any]:
        self._apply(message, body, files, user_lookup)
        message["edited_timestamp"] = iso_now()
        return message

    def _apply(
        self,
        message: dict[str, Any],
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        user_lookup: Callable[[int], FakeMember | None],
    ) -> None:
        for key in _EDITABLE:
            if key in body:
                value = body[key]
                if key == "flags":
                    value = value or 0
                elif key in ("embeds", "components"):
                    value = copy.deepcopy(value or [])
                elif key == "content":
                    value = value or ""
                message[key] = value
        for embed in message["embeds"]:
            embed.setdefault("type", "rich")
        self._apply_attachments(message, body, files)
        self._compute_mentions(message, body, user_lookup)

    def _apply_attachments(
        self, message: dict[str, Any], body: dict[str, Any], files: list[tuple[str, bytes]]
    ) -> None:
        kept = message["attachments"]
        kept_files = message["_files"]
        if "attachments" in body:  # the list says which existing attachments stay
            keep_ids = {str(a.get("id")) for a in body["attachments"] or []}
            pairs = [(a, f) for a, f in zip(kept, kept_files, strict=True) if a["id"] in keep_ids]
            kept, kept_files = [a for a, _ in pairs], [f for _, f in pairs]
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        for index, (name, data) in enumerate(files):
            meta = described.get(str(index), {})
            filename = meta.get("filename") or name
            kept.append(self.new_attachment(int(message["channel_id"]), filename, data, meta))
            kept_files.append((filename, data))
        message["attachments"], message["_files"] = kept, kept_files

    def new_attachment(
        self, channel_id: int, filename: str, data: bytes, meta: dict[str, Any]
    ) -> dict[str, Any]:
        attachment_id = new_id()
        self.attachments[attachment_id] = data
        url = self._attachment_url(channel_id, attachment_id, filename)
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "description": meta.get("description"),
            "ephemeral": False,
        }

    def _compute_mentions(
        self,
        message: dict[str, Any],
        body: dict[str, Any],
        user_lookup: Callable[[int], FakeMember | None],
    ) -> None:
        if "content" not in body and "allowed_mentions" not in body and "_pinged" in message:
            return
        if "allowed_mentions" in body:
            message["_allowed_mentions"] = body["allowed_mentions"]
        allowed = message.get("_allowed_mentions")
        replied = None
        reference = message.get("message_reference") or {}
        referenced = self.by_id.get(int(reference.get("message_id") or 0))
        if referenced is not None:
            replied = int(referenced["author"]["id"])
        result = pinged(message["content"], allowed, replied_user_id=replied)
        message["_pinged"] = result
        message["mention_everyone"] = result["everyone"]
        message["mention_roles"] = [str(r) for r in result["roles"]]
        users = [user_lookup(u) for u in result["users"]]
        message["mentions"] = [u.user_payload() for u in users if u is not None]

    def delete(self, message: dict[str, Any]) -> None:
        message["_deleted"] = True

    # -- queries --
    def in_channel(self, channel_id: int, *, sources: tuple[str, ...]) -> list[dict[str, Any]]:
        cid = str(channel_id)
        return [
            m
            for m in self.by_id.values()
            if m["channel_id"] == cid and not m["_deleted"] and m["_source"] in sources
        ]

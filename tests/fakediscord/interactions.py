"""Driving interactions: build INTERACTION_CREATE like Discord, then await the bot's answer.

Completion rule: wait for the callback; after a deferral (5 or 6) also wait for an edit of
@original or a followup; then wait until SETTLE_S pass without another webhook request for
the token. Failures raise AssertionError describing everything the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .commands import CommandData
from .messages import public, snapshot
from .models import (
    ADD_REACTIONS,
    ATTACH_FILES,
    DM_CHANNEL,
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    USE_EXTERNAL_EMOJIS,
    VIEW_CHANNEL,
    FakeChannel,
    FakeGuild,
    FakeMember,
    new_id,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

SETTLE_S = 0.15
TOKEN_TTL_S = 3.0
CALLBACK_GRACE_S = 0.1  # a callback sent just before expiry may still be in flight
EPHEMERAL, LOADING = 64, 128
DM_APP_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
)


class _Default:
    def __repr__(self) -> str:
        return "<default guild>"


DEFAULT: Any = _Default()


def _embed_text(embed: dict[str, Any]) -> list[str]:
    parts = [embed.get("title"), embed.get("description")]
    for fld in embed.get("fields") or []:
        parts += [fld.get("name"), fld.get("value")]
    parts.append((embed.get("footer") or {}).get("text"))
    parts.append((embed.get("author") or {}).get("name"))
    return [p for p in parts if p]


def message_text(message: dict[str, Any]) -> list[str]:
    parts = [message["content"]] if message.get("content") else []
    for embed in message.get("embeds") or []:
        parts += _embed_text(embed)
    return parts


@dataclass
class InteractionResult:
    response_type: int  # 4 message, 5 deferred, 6/7 component, 8 autocomplete, 9 modal
    content: str | None
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    flags: int
    files: list[tuple[str, bytes]]
    ephemeral: bool
    followups: list[dict[str, Any]]  # message dicts + "files" + "_pinged"
    choices: list[dict[str, Any]] | None
    latency: float
    message: dict[str, Any] | None = None  # the original response message (press_button it)
    modal: dict[str, Any] | None = None  # data of a type 9 (modal) callback
    interaction_id: int = 0
    final_latency: float = 0.0  # to the answer a member reads (after a deferral: its followup)

    @property
    def text(self) -> str:
        parts = message_text(self.message) if self.message is not None else []
        original_id = self.message["id"] if self.message is not None else None
        for followup in self.followups:
            if followup["id"] != original_id:
                parts += message_text(followup)
        return "\n".join(parts)


@dataclass(eq=False)
class Pending:
    """One interaction the fake sent, and everything the bot did with its token."""

    id: int
    token: str
    kind: int  # 2 command, 3 component, 4 autocomplete
    label: str
    channel_id: int
    guild_id: int | None
    user: FakeMember
    component_message_id: int | None = None
    ttl: float = TOKEN_TTL_S
    expect_edit: bool = True  # False: a deferred update (6) may be the whole answer
    sent_at: float = field(default_factory=time.monotonic)
    callback_type: int | None = None
    callback_at: float | None = None
    callback_data: dict[str, Any] = field(default_factory=dict)
    original_id: int | None = None
    answered: bool = False  # @original edited/deleted or a followup sent after a deferral
    answered_at: float | None = None
    followup_ids: list[int] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)
    log: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, line: str) -> None:
        self.log.append(f"+{time.monotonic() - self.sent_at:.3f}s {line}")
        self.last_activity = time.monotonic()
        self.changed.set()

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.sent_at > self.ttl


class Interactions:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.commands = CommandData(fake)
        self.by_id: dict[int, Pending] = {}
        self.by_token: dict[str, Pending] = {}

    # -- public drivers --
    async def invoke(
        self,
        command: str,
        options: dict[str, Any] | None,
        *,
        member: FakeMember,
        guild: FakeGuild | None,
        channel_id: int | None,
        locale: str | None,
        timeout: float,
        stale_client: bool = False,
    ) -> InteractionResult:
        guild = self._guild(guild)
        self.commands.stale_client = stale_client
        try:
            root, leaf, path = self.commands.find(command, guild)
            data = self.commands.build(root, leaf, path, options or {}, guild, focused=None)
        finally:
            self.commands.stale_client = False
        payload = self._payload(2, data, member, guild, channel_id, locale)
        pending = self._send(payload, 2, f"/{command}", member)
        return await self._await(pending, timeout)

    async def autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        focused: str,
        *,
        member: FakeMember,
        guild: FakeGuild | None,
        channel_id: int | None,
        locale: str | None,
        timeout: float,
    ) -> InteractionResult:
        guild = self._guild(guild)
        root, leaf, path = self.commands.find(command, guild)
        options = dict(options)
        options.setdefault(focused, "")
        data = self.commands.build(root, leaf, path, options, guild, focused=focused)
        payload = self._payload(4, data, member, guild, channel_id, locale)
        pending = self._send(payload, 4, f"/{command} (autocomplete {focused!r})", member)
        return await self._await(pending, timeout)

    async def press_button(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        member: FakeMember,
        guild: FakeGuild | None,
        locale: str | None,
        timeout: float,
        values: list[str] | None = None,
        expect_edit: bool = True,
    ) -> InteractionResult:
        stored = self.fake.messages.by_id.get(int(message["id"]))
        if stored is None or stored["_deleted"]:
            raise AssertionError(f"press_button: message {message['id']} does not exist (deleted?)")
        if guild is DEFAULT:  # the guild the message was posted in (None for a DM)
            channel = self.fake.channel_by_id(int(stored["channel_id"]))
            guild = self.fake.guild_by_id(channel.guild_id or 0) if channel else None
        viewer = (stored.get("interaction_metadata") or {}).get("user", {}).get("id")
        if stored["flags"] & EPHEMERAL and viewer != str(member.id):
            raise AssertionError(
                f"press_button: message {stored['id']} is ephemeral; only user {viewer} sees it"
            )
        component = _find_component(stored.get("components") or [], custom_id)
        if component is None:
            raise AssertionError(
                f"press_button: no component with custom_id {custom_id!r} on message "
                f"{stored['id']}; custom_ids: {_custom_ids(stored.get('components') or [])}"
            )
        if component.get("disabled"):
            raise AssertionError(f"press_button: component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
        payload = self._payload(3, data, member, guild, int(stored["channel_id"]), locale)
        payload["message"] = public(stored)
        pending = self._send(payload, 3, f"component {custom_id!r}", member)
        pending.component_message_id = int(stored["id"])
        pending.expect_edit = expect_edit
        return await self._await(pending, timeout)

    # -- payloads and sending --
    def _guild(self, guild: FakeGuild | None) -> FakeGuild | None:
        return self.fake.guild if guild is DEFAULT else guild

    def _payload(
        self,
        kind: int,
        data: dict[str, Any],
        member: FakeMember,
        guild: FakeGuild | None,
        channel_id: int | None,
        locale: str | None,
    ) -> dict[str, Any]:
        fake = self.fake
        payload: dict[str, Any] = {
            "id": str(new_id()),
            "application_id": str(fake.application_id),
            "type": kind,
            "data": data,
            "token": "fake-" + secrets.token_urlsafe(32),
            "version": 1,
            "locale": locale or member.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is None:
            channel = (
                fake.dm_channel_for(member)
                if channel_id is None
                else fake.channel_by_id(channel_id)
            )
            if channel is None or channel.type != DM_CHANNEL:
                raise AssertionError(f"DM interaction: {channel_id} is not a DM channel")
            if channel.recipient is not member:
                raise AssertionError(f"DM interaction: {channel.id} is not {member.name!r}'s DM")
            payload.update(
                channel_id=str(channel.id),
                channel=channel.payload(),
                user=member.user_payload(),
                app_permissions=str(DM_APP_PERMISSIONS),
                context=1,
                authorizing_integration_owners={"0": "0"},  # "0": the bot's own DM
            )
            return payload
        if guild.members.get(member.id) is not member:
            raise AssertionError(f"{member.name!r} is not a member of {guild}")
        channel = guild.channels.get(channel_id or guild.general_channel_id)
        if channel is None:
            raise AssertionError(f"channel {channel_id} is not in {guild}")
        perms = guild.permissions_of(member)
        member_data = {**member.member_payload(), "permissions": str(perms)}
        payload.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
            guild_locale=guild.preferred_locale,
            channel_id=str(channel.id),
            channel=_with_permissions(channel, perms),
            member=member_data,
            app_permissions=str(guild.permissions_of(guild.bot_member)),
            context=0,
            authorizing_integration_owners={"0": str(guild.id)},
        )
        return payload

    def _send(self, payload: dict[str, Any], kind: int, label: str, user: FakeMember) -> Pending:
        guild_id = int(payload["guild_id"]) if "guild_id" in payload else None
        gateway = self.fake.gateway
        if gateway.session_for(guild_id) is None:  # while reconnecting, dispatches are buffered
            if not gateway.sessions:
                raise AssertionError(f"{label}: the bot never connected to the gateway")
            shard, count = gateway.shard_for(guild_id), gateway.num_shards
            raise AssertionError(
                f"{label}: no process holds shard {shard} of {count} (guild {guild_id})"
            )
        pending = Pending(
            id=int(payload["id"]),
            token=payload["token"],
            kind=kind,
            label=label,
            channel_id=int(payload["channel_id"]),
            guild_id=guild_id,
            user=user,
            ttl=self.fake.interaction_token_ttl,
        )
        self.by_id[pending.id] = pending
        self.by_token[pending.token] = pending
        gateway.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id)
        return pending

    # -- awaiting the answer --
    async def _await(self, pending: Pending, timeout: float) -> InteractionResult:
        deadline = pending.sent_at + timeout
        # Without a callback within the token's lifetime Discord shows "interaction failed".
        expiry = min(deadline, pending.sent_at + pending.ttl + CALLBACK_GRACE_S)
        what = f"a callback (Discord allows {pending.ttl:g}s)"
        await self._until(pending, lambda: pending.callback_type is not None, expiry, what)
        if pending.callback_type == 5 or (pending.callback_type == 6 and pending.expect_edit):
            hint = " (press_button(..., expect_edit=False) if none is due)"
            await self._until(
                pending,
                lambda: pending.answered,
                deadline,
                f"an edit of @original or a followup after deferral {pending.callback_type}"
                + (hint if pending.callback_type == 6 else ""),
            )
        if pending.kind != 4:
            while (quiet := time.monotonic() - pending.last_activity) < SETTLE_S:
                if time.monotonic() >= deadline:
                    break
                await asyncio.sleep(SETTLE_S - quiet)
        return self._result(pending)

    async def _until(
        self, pending: Pending, done: Callable[[], bool], deadline: float, what: str
    ) -> None:
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                waited = deadline - pending.sent_at
                log = "\n  ".join(pending.log) or "(nothing: no callback, no webhook request)"
                raise AssertionError(
                    f"{pending.label}: waited {waited:.1f}s for {what}. The bot did:\n  {log}"
                )
            pending.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pending.changed.wait(), remaining)

    def _result(self, pending: Pending) -> InteractionResult:
        store = self.fake.messages.by_id
        original = store.get(pending.original_id or 0)
        followups = [_with_files(store[i]) for i in pending.followup_ids if i in store]
        message = _with_files(original) if original is not None else None
        return InteractionResult(
            response_type=pending.callback_type or 0,
            content=message["content"] if message else None,
            embeds=message["embeds"] if message else [],
            components=message["components"] if message else [],
            flags=message["flags"] if message else 0,
            files=message["files"] if message else [],
            ephemeral=bool(message and message["flags"] & EPHEMERAL),
            followups=followups,
            choices=pending.callback_data.get("choices") if pending.callback_type == 8 else None,
            latency=(pending.callback_at or pending.sent_at) - pending.sent_at,
            message=message,
            modal=pending.callback_data if pending.callback_type == 9 else None,
            interaction_id=pending.id,
            final_latency=(pending.answered_at or pending.callback_at or pending.sent_at)
            - pending.sent_at,
        )


def _with_files(message: dict[str, Any]) -> dict[str, Any]:
    out = snapshot(message)
    out["files"] = out.pop("_files")
    return out


def _with_permissions(channel: FakeChannel, perms: int) -> dict[str, Any]:
    return {**channel.payload(), "permissions": str(perms)}


def _iter_components(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for comp in rows:
        found.append(comp)
        found += _iter_components(comp.get("components") or [])
        if comp.get("accessory"):
            found.append(comp["accessory"])
    return found


def _find_component(rows: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in _iter_components(rows) if c.get("custom_id") == custom_id), None)


def _custom_ids(rows: list[dict[str, Any]]) -> list[str]:
    return [c["custom_id"] for c in _iter_components(rows) if c.get("custom_id")]

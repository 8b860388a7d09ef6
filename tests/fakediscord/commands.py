"""Slash-command interaction data: find the synced command, convert and resolve options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import FakeGuild

if TYPE_CHECKING:
    from .server import FakeDiscord

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
CommandPath = list[tuple[str, int]]  # (name, option type) of subcommand groups/subcommands


class CommandData:
    """Builds ``data`` of APPLICATION_COMMAND / AUTOCOMPLETE interactions like Discord."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        # A client whose command list is older than the last sync: Discord then passes on
        # what it sends (a removed choice, a command from a context no longer allowed).
        self.stale_client = False

    def find(
        self, command: str, guild: FakeGuild | None
    ) -> tuple[dict[str, Any], dict[str, Any], CommandPath]:
        """The synced root command, the invoked (sub)command, and the (name, type) path."""
        names = command.split()
        synced = self.fake.commands
        root = None
        if guild is not None:
            root = synced.get(guild.id, {}).get(names[0])
        root = root or synced.get(None, {}).get(names[0])
        if root is None or root.get("type", 1) != 1:
            known = sorted({n for scope in synced.values() for n in scope})
            raise AssertionError(f"command /{names[0]} is not synced; synced commands: {known}")
        if guild is None and not _dm_allowed(root) and not self.stale_client:
            raise AssertionError(f"command /{names[0]} is not available in DMs (contexts)")
        leaf, path = root, []
        for name in names[1:]:
            subs = {
                o["name"]: o for o in leaf.get("options") or [] if o["type"] in (SUBCOMMAND, GROUP)
            }
            if name not in subs:
                raise AssertionError(
                    f"/{command}: {name!r} is not a subcommand of {leaf['name']!r}; "
                    f"known: {sorted(subs)}"
                )
            leaf = subs[name]
            path.append((name, leaf["type"]))
        if any(o["type"] in (SUBCOMMAND, GROUP) for o in leaf.get("options") or []):
            raise AssertionError(f"/{command} is a group; name a subcommand")
        return root, leaf, path

    def build(
        self,
        root: dict[str, Any],
        leaf: dict[str, Any],
        path: CommandPath,
        values: dict[str, Any],
        guild: FakeGuild | None,
        *,
        focused: str | None,
    ) -> dict[str, Any]:
        defs = {o["name"]: o for o in leaf.get("options") or []}
        resolved: dict[str, dict[str, Any]] = {}
        options: list[dict[str, Any]] = []
        for name, value in values.items():
            if name not in defs:
                raise AssertionError(
                    f"/{' '.join([root['name'], *(n for n, _ in path)])}: unknown option {name!r}; "
                    f"options: {sorted(defs)}"
                )
            option = {"name": name, "type": defs[name]["type"]}
            if name == focused:
                option.update(value=value, focused=True)
            else:
                option["value"] = self._option_value(defs[name], value, guild, resolved)
            options.append(option)
        if focused is None:
            missing = [n for n, d in defs.items() if d.get("required") and n not in values]
            if missing:
                raise AssertionError(f"/{root['name']}: required options missing: {missing}")
        for name, kind in reversed(path):  # wrap in subcommand / group options
            options = [{"name": name, "type": kind, "options": options}]
        data: dict[str, Any] = {"id": root["id"], "name": root["name"], "type": 1}
        if options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        if root.get("guild_id"):
            data["guild_id"] = root["guild_id"]
        return data

    def _option_value(
        self,
        spec: dict[str, Any],
        value: Any,
        guild: FakeGuild | None,
        resolved: dict[str, dict[str, Any]],
    ) -> Any:
        kind, name = spec["type"], spec["name"]
        if kind in (USER, CHANNEL, ROLE, MENTIONABLE):
            return self._resolve_snowflake(kind, name, getattr(value, "id", value), guild, resolved)
        if kind == ATTACHMENT:
            filename, data = value
            attachment = self.fake.messages.new_attachment(0, filename, data, {})
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        value = {STRING: str, INTEGER: int, BOOLEAN: bool, NUMBER: float}.get(kind, _same)(value)
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices] and not self.stale_client:
            raise AssertionError(f"option {name!r}: {value!r} is not one of the choices {choices}")
        _check_range(spec, value)
        return value

    def _resolve_snowflake(
        self,
        kind: int,
        name: str,
        value: Any,
        guild: FakeGuild | None,
        resolved: dict[str, dict[str, Any]],
    ) -> str:
        sid, fake = int(value), self.fake
        if kind in (ROLE, MENTIONABLE) and guild is not None and sid in guild.roles:
            resolved.setdefault("roles", {})[str(sid)] = guild.roles[sid].payload()
            return str(sid)
        if kind == CHANNEL:
            channel = fake.channel_by_id(sid)
            if channel is None:
                raise AssertionError(f"option {name!r}: no channel with id {sid}")
            perms = str(guild.permissions_of(guild.bot_member)) if guild else "0"
            entry = {k: v for k, v in channel.payload().items() if k != "recipients"}
            resolved.setdefault("channels", {})[str(sid)] = {**entry, "permissions": perms}
            return str(sid)
        user = fake.user_by_id(sid)
        if kind == ROLE or user is None:
            raise AssertionError(f"option {name!r}: no {'role' if kind == ROLE else 'user'} {sid}")
        resolved.setdefault("users", {})[str(sid)] = user.user_payload()
        if guild is not None and sid in guild.members:
            member = guild.members[sid].member_payload(with_user=False)
            member["permissions"] = str(guild.permissions_of(guild.members[sid]))
            resolved.setdefault("members", {})[str(sid)] = member
        return str(sid)


def _same(value: Any) -> Any:
    return value


def _dm_allowed(command: dict[str, Any]) -> bool:
    if command.get("dm_permission") is False:
        return False
    contexts = command.get("contexts")
    return contexts is None or 1 in contexts


def _check_range(spec: dict[str, Any], value: Any) -> None:
    name = spec["name"]
    if isinstance(value, str):
        low, high = spec.get("min_length"), spec.get("max_length")
        size: Any = len(value)
    else:
        low, high, size = spec.get("min_value"), spec.get("max_value"), value
    if (low is not None and size < low) or (high is not None and size > high):
        raise AssertionError(f"option {name!r}: {value!r} is outside [{low}, {high}]")

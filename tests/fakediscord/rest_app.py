"""REST: the bot user, the application, the gateway URL and application command sync."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from . import limits
from .models import new_id
from .transport import ApiError, Call, Reply, Router, not_found

if TYPE_CHECKING:
    from .server import FakeDiscord


class AppRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: Router) -> None:
        router.add("GET", "/users/@me", self.get_me)
        router.add("GET", "/users/{user_id}", self.get_user)
        router.add("GET", "/oauth2/applications/@me", self.get_application)
        router.add("GET", "/applications/@me", self.get_application)
        router.add("GET", "/gateway", self.get_gateway)
        router.add("GET", "/gateway/bot", self.get_gateway_bot)
        for scope in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            router.add("GET", scope + "/commands", self.get_commands)
            router.add("PUT", scope + "/commands", self.put_commands)

    async def get_me(self, call: Call) -> Reply:
        return Reply(body=self.fake.bot_user_payload())

    async def get_user(self, call: Call) -> Reply:
        user = self.fake.user_by_id(call.int_param("user_id"))
        if user is None:
            raise not_found(10013, "User")
        return Reply(body=user.user_payload())

    async def get_application(self, call: Call) -> Reply:
        fake = self.fake
        return Reply(
            body={
                "id": str(fake.application_id),
                "name": fake.bot_user.name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": fake.application_flags,
                "owner": fake.owner.user_payload(),
                "team": None,
                "bot": fake.bot_user_payload(),
                "hook": True,
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "tags": [],
                "approximate_guild_count": len(fake.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    async def get_gateway(self, call: Call) -> Reply:
        return Reply(body={"url": self.fake.gateway_url})

    async def get_gateway_bot(self, call: Call) -> Reply:
        fake = self.fake
        limit = {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": fake.max_concurrency,
        }
        body = {"url": fake.gateway_url, "shards": fake.recommended_shards}
        return Reply(body={**body, "session_start_limit": limit})

    # -- application commands --
    def _scope(self, call: Call) -> int | None:
        if call.int_param("app_id") != self.fake.application_id:
            raise ApiError(403, 50001, "Missing Access")
        if "guild_id" not in call.params:
            return None
        guild_id = call.int_param("guild_id")
        if self.fake.guild_by_id(guild_id) is None:
            raise ApiError(403, 50001, "Missing Access")
        return guild_id

    async def get_commands(self, call: Call) -> Reply:
        scope = self._scope(call)
        return Reply(body=list(self.fake.commands.get(scope, {}).values()))

    async def put_commands(self, call: Call) -> Reply:
        scope = self._scope(call)
        violations = limits.check_commands(call.body)
        if violations:
            self.fake.reject(call, violations)
        old = self.fake.commands.get(scope, {})
        synced: dict[str, dict[str, Any]] = {}
        for raw in call.body:
            kind = raw.get("type") or 1
            previous = old.get(raw["name"]) or {}
            kept_id = previous["id"] if previous.get("type") == kind else None  # Discord keeps ids
            synced[raw["name"]] = self._stored_command(raw, scope, kept_id)
        self.fake.commands[scope] = synced
        return Reply(body=list(synced.values()))

    def _stored_command(
        self, raw: dict[str, Any], scope: int | None, command_id: str | None
    ) -> dict[str, Any]:
        command = copy.deepcopy(raw)
        perms = command.get("default_member_permissions")
        command.update(
            id=command_id or str(new_id()),
            application_id=str(self.fake.application_id),
            version=str(new_id()),
            type=raw.get("type") or 1,
            description=raw.get("description") or "",
            default_member_permissions=None if perms is None else str(perms),
            nsfw=bool(raw.get("nsfw")),
            options=command.get("options") or [],
        )
        command.setdefault("contexts", None)
        command.setdefault("integration_types", [0])
        if scope is not None:
            command["guild_id"] = str(scope)
        return command

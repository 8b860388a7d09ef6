"""REST: the interaction callback and the interaction webhook (@original, followups)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import limits
from .interactions import EPHEMERAL, LOADING, Pending
from .messages import public
from .transport import ApiError, Call, Reply, Router, not_found

if TYPE_CHECKING:
    from .server import FakeDiscord

# callback types each interaction type accepts (2 command, 3 component, 4 autocomplete)
_ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}}
_TRUE = ("1", "true", "True")


class InteractionRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: Router) -> None:
        router.add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback)
        hook = "/webhooks/{app_id}/{token}"
        router.add("POST", hook, self.followup)
        for target in ("/messages/@original", "/messages/{message_id}"):
            router.add("GET", hook + target, self.get_message)
            router.add("PATCH", hook + target, self.edit_message)
            router.add("DELETE", hook + target, self.delete_message)

    # -- the callback --
    async def callback(self, call: Call) -> Reply:
        pending = self.fake.interactions.by_id.get(call.int_param("interaction_id"))
        if pending is None or pending.token != call.params["token"]:
            raise not_found(10062, "interaction")
        body = call.body if isinstance(call.body, dict) else {}
        kind: Any = body.get("type")
        if pending.callback_type is not None:
            pending.note(f"callback type={kind} REJECTED: already acknowledged")
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if pending.expired:
            age = time.monotonic() - pending.sent_at
            pending.note(
                f"callback type={kind} REJECTED: token expired ({age:.2f}s > {pending.ttl}s)"
            )
            raise ApiError(404, 10062, "Unknown interaction")
        allowed = _ALLOWED_CALLBACKS[pending.kind]
        problems = [] if kind in allowed else [_bad_type(kind, allowed)]
        problems += limits.check_callback(body)
        data = body.get("data") or {}
        if kind == 4 and not problems and limits.is_empty_message(data, len(call.request.files)):
            pending.note("callback type=4 REJECTED: empty message")
            raise ApiError(400, 50006, "Cannot send an empty message")
        if problems:
            pending.note(
                f"callback type={kind} REJECTED: " + "; ".join(p.describe() for p in problems)
            )
            self.fake.reject(call, problems)

        message = self._apply_callback(pending, kind, data, call)
        pending.callback_type, pending.callback_data = kind, data
        pending.callback_at = time.monotonic()
        pending.note(f"callback type={kind} " + _summary(data))
        if call.request.query.get("with_response") not in _TRUE:
            return Reply(204)
        return Reply(body=self._callback_response(pending, kind, message))

    def _apply_callback(
        self, pending: Pending, kind: int, data: dict[str, Any], call: Call
    ) -> dict[str, Any] | None:
        fake, files = self.fake, call.request.files
        if kind in (4, 5):
            flags = (data.get("flags") or 0) & ~LOADING
            body = data if kind == 4 else {"flags": flags & EPHEMERAL | LOADING}
            message = fake.messages.create(
                channel_id=pending.channel_id,
                author=fake.bot_user,
                body=body,
                files=files if kind == 4 else [],
                source="interaction",
                guild_id=pending.guild_id,
                extra=self._interaction_extra(pending),
                user_lookup=fake.user_by_id,
            )
            pending.original_id = int(message["id"])
            return message
        if kind in (6, 7):
            pending.original_id = pending.component_message_id
            message = fake.messages.by_id[pending.component_message_id or 0]
            if kind == 7:
                fake.messages.edit(message, data, files, fake.user_by_id)
            return message
        return None

    def _interaction_extra(self, pending: Pending) -> dict[str, Any]:
        app_id = str(self.fake.application_id)
        return {
            "type": 20 if pending.kind == 2 else 0,
            "webhook_id": app_id,
            "application_id": app_id,
            "interaction_metadata": {
                "id": str(pending.id),
                "type": pending.kind,
                "user": pending.user.user_payload(),
                "authorizing_integration_owners": {},
            },
        }

    def _callback_response(
        self, pending: Pending, kind: int, message: dict[str, Any] | None
    ) -> dict[str, Any]:
        interaction: dict[str, Any] = {"id": str(pending.id), "type": pending.kind}
        if message is None:  # autocomplete / modal: no message resource
            return {"interaction": interaction}
        interaction.update(
            response_message_id=message["id"],
            response_message_loading=kind == 5,
            response_message_ephemeral=bool(message["flags"] & EPHEMERAL),
        )
        return {"interaction": interaction, "resource": {"type": kind, "message": public(message)}}

    # -- the webhook --
    def _pending(self, call: Call) -> Pending:
        pending = self.fake.interactions.by_token.get(call.params["token"])
        if pending is None or call.int_param("app_id") != self.fake.application_id:
            raise not_found(10015, "Webhook")
        return pending

    def _target(self, call: Call, pending: Pending) -> dict[str, Any]:
        if "message_id" in call.params:
            message_id = call.int_param("message_id")
            if message_id not in pending.followup_ids and message_id != pending.original_id:
                raise not_found(10008, "Message")
        else:
            message_id = pending.original_id or 0
        message = self.fake.messages.by_id.get(message_id)
        if message is None or message["_deleted"]:
            raise not_found(10008, "Message")
        return message

    def _checked(self, call: Call, pending: Pending, what: str) -> dict[str, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        problems = limits.check_message(body)
        if problems:
            pending.note(f"{what} REJECTED: " + "; ".join(p.describe() for p in problems))
            self.fake.reject(call, problems)
        return body

    async def get_message(self, call: Call) -> Reply:
        pending = self._pending(call)
        return Reply(body=public(self._target(call, pending)))

    async def edit_message(self, call: Call) -> Reply:
        pending = self._pending(call)
        message = self._target(call, pending)
        what = f"PATCH message {'@original' if 'message_id' not in call.params else message['id']}"
        body = self._checked(call, pending, what)
        old_flags = message["flags"]
        self.fake.messages.edit(message, body, call.request.files, self.fake.user_by_id)
        # ephemeral-ness is fixed at creation; an edit ends the "thinking..." state
        message["flags"] = old_flags & EPHEMERAL | message["flags"] & ~(EPHEMERAL | LOADING)
        if int(message["id"]) == pending.original_id:
            pending.answered = True
            pending.answered_at = pending.answered_at or time.monotonic()
        pending.note(f"{what} " + _summary(body))
        return Reply(body=public(message))

    async def delete_message(self, call: Call) -> Reply:
        pending = self._pending(call)
        message = self._target(call, pending)
        self.fake.messages.delete(message)
        pending.answered = pending.answered or int(message["id"]) == pending.original_id
        pending.note(f"DELETE message {message['id']}")
        return Reply(204)

    async def followup(self, call: Call) -> Reply:
        pending = self._pending(call)
        body = self._checked(call, pending, "followup")
        if limits.is_empty_message(body, len(call.request.files)):
            pending.note("followup REJECTED: empty message")
            raise ApiError(400, 50006, "Cannot send an empty message")
        if pending.callback_type is None:
            pending.note("followup REJECTED: interaction not acknowledged yet")
            raise not_found(10015, "Webhook")
        fake = self.fake
        original = fake.messages.by_id.get(pending.original_id or 0)
        if original is not None and original["flags"] & LOADING and not pending.answered:
            # Discord: the first followup after a deferral replaces the "thinking..." message.
            fake.messages.edit(original, {**body, "flags": original["flags"]}, call.request.files)
            original["flags"] &= ~LOADING
            message = original
        else:
            message = fake.messages.create(
                channel_id=pending.channel_id,
                author=fake.bot_user,
                body=body,
                files=call.request.files,
                source="followup",
                guild_id=pending.guild_id,
                extra=self._interaction_extra(pending),
                user_lookup=fake.user_by_id,
            )
        pending.followup_ids.append(int(message["id"]))
        pending.answered = True
        pending.answered_at = pending.answered_at or time.monotonic()
        pending.note("followup " + _summary(body))
        if call.request.query.get("wait") in _TRUE:
            return Reply(body=public(message))
        return Reply(204)


def _bad_type(kind: Any, allowed: set[int]) -> limits.Violation:
    return limits.Violation(
        ("type",), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(allowed)} (got {kind!r})."
    )


def _summary(data: dict[str, Any]) -> str:
    bits = []
    if data.get("content"):
        bits.append(f"content={data['content'][:80]!r}")
    if data.get("embeds"):
        bits.append(f"embeds={len(data['embeds'])}")
    if data.get("components"):
        bits.append(f"components={len(data['components'])}")
    if data.get("choices") is not None:
        bits.append(f"choices={len(data['choices'])}")
    if data.get("flags"):
        bits.append(f"flags={data['flags']}")
    return " ".join(bits)

r"""A fake Discord (REST + gateway on 127.0.0.1) for end-to-end tests of the real bot.

Usage, in an async test::

    fake = FakeDiscord(spec_path="/work/shared/discord-api-spec/openapi.json")
    await fake.start()              # then start the bot with fake.api_base / fake.gateway_url
    await fake.wait_for_request("PUT", r"/applications/\d+/commands")   # commands synced
    result = await fake.invoke("notify on", member=fake.guild.fan)
    assert result.ephemeral and "Premiere" in result.text
    assert fake.guild.notify_role in fake.guild.fan.roles
    assert not fake.spec_violations and not fake.internal_errors
    await fake.stop()
"""

from .interactions import InteractionResult
from .limits import Violation
from .mentions import pinged
from .models import FakeChannel, FakeGuild, FakeMember, FakeRole
from .openapi import SpecValidator
from .server import FakeDiscord
from .transport import RecordedRequest

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "InteractionResult",
    "RecordedRequest",
    "SpecValidator",
    "Violation",
    "pinged",
]

"""A fake Discord (REST + gateway on 127.0.0.1) for end-to-end tests of the real bot."""

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

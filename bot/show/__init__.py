"""The show's facts (data/show.toml): model, loading and hot reload, name lookup, embeds."""

from bot.show.loader import ShowDataError, ShowSnapshot, ShowStore, load_show
from bot.show.model import (
    CastMember,
    Credit,
    Premise,
    SeasonOne,
    SeasonTwo,
    Series,
    ShowData,
    Text,
    TimelineEntry,
)
from bot.show.names import NameIndex, NameMatch

__all__ = [
    "CastMember",
    "Credit",
    "NameIndex",
    "NameMatch",
    "Premise",
    "SeasonOne",
    "SeasonTwo",
    "Series",
    "ShowData",
    "ShowDataError",
    "ShowSnapshot",
    "ShowStore",
    "Text",
    "TimelineEntry",
    "load_show",
]

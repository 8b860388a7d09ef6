"""Embeds and texts for /cast, /plot, /about and /release: pure functions of the show data.

Korean readers get Hangul first and the romanization in brackets, English readers the reverse,
so everyone can search and pronounce the names. All data is moderator-edited, so every piece
is cut to Discord's limits here (see `limits`).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterator, Sequence

import discord

from bot.discord_limits import (
    BLANK,
    CONTENT,
    DESCRIPTION,
    EMBED_TOTAL,
    FIELD_VALUE,
    FIELDS,
    MESSAGE_EMBEDS,
    TITLE,
    fit_embed,
    truncate,
)
from bot.i18n import Lang
from bot.notify.partial import expected_words
from bot.show.labels import count, label
from bot.show.model import CastMember, Credit, ShowData, Text, TimelineEntry

COLOR = discord.Colour(0xB3202A)  # Hyosan-red: the one colour of every show embed
NAME_MAX = 80  # one name; keeps any cast line far below a field's 1024
QUERY_ECHO_MAX = 60
NOTE_MAX = 500
UPDATES_SHOWN = 5
UPDATE_TEXT_MAX = 600
SPOILER_FIELDS_MAX = 2400  # room left for the spoiler-free part when spoilers are shown
_MIN_PIECE = 40  # a truncated paragraph shorter than this isn't worth showing


# ── small helpers ────────────────────────────────────────────────────────────


def _md(text: str) -> str:
    return discord.utils.escape_markdown(text)


def both(text: Text, lang: Lang, *, bold: bool = False) -> str:
    """ "Park Ji-hu (박지후)" in English, "박지후 (Park Ji-hu)" in Korean."""
    first, second = (text.ko, text.en) if lang == "ko" else (text.en, text.ko)
    first, second = _md(truncate(first, NAME_MAX)), _md(truncate(second, NAME_MAX))
    shown = f"**{first}**" if bold else first
    return shown if first == second else f"{shown} ({second})"


def spoiler(text: str, limit: int) -> str:
    """`text` in spoiler tags, cut inside the tags so they always stay paired."""
    inner = text.replace("||", "| |")
    return f"||{truncate(inner, limit - 4)}||"


def _embed(title: str, description: str | None = None) -> discord.Embed:
    return discord.Embed(title=truncate(title, TITLE), description=description, colour=COLOR)


def _series_title(show: ShowData, lang: Lang) -> str:
    return show.series.title.get(lang)


# ── /cast ────────────────────────────────────────────────────────────────────


def _cast_line(member: CastMember, lang: Lang) -> str:
    actor = both(member.actor, lang, bold=True)
    return label(lang, "cast.line", actor=actor, character=both(member.character, lang))


def cast_list_embeds(show: ShowData, lang: Lang) -> list[discord.Embed]:
    """The whole cast for one message: at most 10 embeds and 6000 characters in all."""
    summary = label(
        lang,
        "cast.summary",
        total=len(show.cast),
        returning=len(show.returning),
        new=len(show.new),
    )
    first = _embed(label(lang, "cast.title", title=_series_title(show, lang)), summary)
    first.set_footer(text=label(lang, "cast.footer", date=show.season2.announced.isoformat()))
    sections = [
        (label(lang, "cast.returning"), [_cast_line(m, lang) for m in show.returning]),
        (label(lang, "cast.new"), [_cast_line(m, lang) for m in show.new]),
    ]
    return _pack(first, [(name, lines) for name, lines in sections if lines], lang)


class _Pager:
    """Adds fields across the embeds of one message within its shared character budget."""

    def __init__(self, first: discord.Embed, reserve: int) -> None:
        self.embeds = [first]
        self.left = EMBED_TOTAL - len(first) - reserve
        self.slots = FIELDS * MESSAGE_EMBEDS - len(first.fields) - 1  # one kept for "…more"

    def add(self, name: str, value: str, *, reserved: bool = False) -> bool:
        cost = len(name) + len(value)
        if not reserved and (cost > self.left or self.slots <= 0):
            return False
        embed = self.embeds[-1]
        if len(embed.fields) >= FIELDS:
            embed = discord.Embed(colour=COLOR)
            self.embeds.append(embed)
        embed.add_field(name=name, value=value, inline=False)
        self.left -= cost
        self.slots -= 1
        return True


def _pack(
    first: discord.Embed, sections: list[tuple[str, list[str]]], lang: Lang
) -> list[discord.Embed]:
    total = sum(len(lines) for _, lines in sections)
    more = label(lang, "cast.more", count=total)  # the longest this line can get
    pager = _Pager(first, reserve=len(more) + len(BLANK))
    placed = 0
    for name, chunk in _chunks(sections, lang):
        fitted = _add_lines(pager, name, chunk)
        placed += fitted
        if fitted < len(chunk):
            break
    if placed < total:
        pager.add(BLANK, label(lang, "cast.more", count=total - placed), reserved=True)
    return pager.embeds


def _chunks(sections: list[tuple[str, list[str]]], lang: Lang) -> Iterator[tuple[str, list[str]]]:
    """Each section's lines, grouped into field values of at most FIELD_VALUE characters."""
    for section, lines in sections:
        name, chunk, size = section, list[str](), 0
        for line in lines:
            line = truncate(line, FIELD_VALUE)
            if chunk and size + 1 + len(line) > FIELD_VALUE:
                yield name, chunk
                name, chunk, size = label(lang, "cast.cont", name=section), [], 0
            size += len(line) + (1 if chunk else 0)
            chunk.append(line)
        if chunk:
            yield name, chunk


def _add_lines(pager: _Pager, name: str, lines: list[str]) -> int:
    """Adds as many of `lines` as fit as one field; returns how many."""
    for n in range(len(lines), 0, -1):
        if pager.add(name, "\n".join(lines[:n])):
            return n
    return 0


def member_label(member: CastMember) -> str:
    """Autocomplete label: both scripts, actor and character (at most 100 characters)."""
    text = f"{member.actor.en} ({member.actor.ko}) — {member.character.en} ({member.character.ko})"
    return text[:100]


def cast_card_embed(member: CastMember, lang: Lang) -> discord.Embed:
    character = both(member.character, lang, bold=True)
    embed = _embed(both(member.actor, lang), label(lang, "card.as", character=character))
    embed.add_field(name=label(lang, "card.season2"), value=label(lang, f"status.{member.status}"))
    embed.add_field(name=label(lang, "card.part"), value=_md(member.part.get(lang)), inline=False)
    if member.spoiler is not None:
        value = spoiler(member.spoiler.get(lang), FIELD_VALUE)
        embed.add_field(name=label(lang, "card.spoiler"), value=value, inline=False)
    if member.aliases:
        aliases = ", ".join(_md(a) for a in member.aliases)
        embed.add_field(name=label(lang, "card.aliases"), value=aliases, inline=False)
    return fit_embed(embed)


def _echo(query: str) -> str:
    """The user's text, safe to repeat: one line, short, no markdown, mentions or links."""
    text = " ".join(query.split())
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = discord.utils.escape_markdown(truncate(text, QUERY_ECHO_MAX), ignore_links=False)
    text = discord.utils.escape_mentions(text)
    # Also break what escape_mentions leaves: <@short-id>, <#channel>, <t:…>, </cmd:id>, links.
    return text.replace("<", "<\u200b").replace("://", ":\u200b//")


def no_match_text(query: str, suggestions: Sequence[CastMember], lang: Lang) -> str:
    echo = _echo(query)
    lines = [label(lang, "nomatch", query=echo) if echo.strip() else label(lang, "nomatch.empty")]
    if suggestions:
        names = ", ".join(_suggestion(m, lang) for m in suggestions[:3])
        lines.append(label(lang, "nomatch.suggest", names=names))
    lines.append(label(lang, "nomatch.hint"))
    return truncate("\n".join(lines), CONTENT)


def _suggestion(member: CastMember, lang: Lang) -> str:
    actor = _md(truncate(member.actor.get(lang), NAME_MAX))
    character = _md(truncate(member.character.get(lang), NAME_MAX))
    if lang == "ko":
        return f"**{actor}** ({character} 역)"
    return f"**{actor}** ({character})"


# ── /plot ────────────────────────────────────────────────────────────────────


def plot_embed(show: ShowData, lang: Lang, spoilers: bool) -> discord.Embed:
    """The premise; spoiler paragraphs only on request, each in its own spoiler tags."""
    embed = _embed(label(lang, "plot.title", title=_series_title(show, lang)))
    embed.set_footer(text=label(lang, "plot.shown" if spoilers else "plot.hidden"))
    if spoilers:
        paragraphs = show.premise.paragraphs(lang, spoilers=True)
        _add_spoiler_fields(embed, paragraphs, lang)
    room = min(DESCRIPTION, EMBED_TOTAL - len(embed))
    free = show.premise.paragraphs(lang, spoilers=False)
    embed.description = _fit_paragraphs(free, room) or BLANK
    return fit_embed(embed)


def _fit_paragraphs(paragraphs: list[str], limit: int, sep: str = "\n\n") -> str:
    """Whole paragraphs while they fit, then a shortened one if enough room is left."""
    out: list[str] = []
    used = 0
    for paragraph in paragraphs:
        cost = len(paragraph) + (len(sep) if out else 0)
        if used + cost <= limit:
            out.append(paragraph)
            used += cost
            continue
        room = limit - used - (len(sep) if out else 0)
        if room >= _MIN_PIECE:
            out.append(truncate(paragraph, room))
        break
    return sep.join(out)


def _add_spoiler_fields(embed: discord.Embed, paragraphs: list[str], lang: Lang) -> None:
    """Spoiler paragraphs as fields (≤1024 each), every paragraph wrapped on its own."""
    left = SPOILER_FIELDS_MAX
    name, value = label(lang, "plot.spoilers"), ""
    for paragraph in paragraphs:
        room = min(FIELD_VALUE, left)
        if room < _MIN_PIECE:
            break  # only a stub would fit
        piece = spoiler(paragraph, room)
        if value and len(value) + 2 + len(piece) > FIELD_VALUE:
            embed.add_field(name=name, value=value, inline=False)
            name, value = BLANK, ""
        value = f"{value}\n\n{piece}" if value else piece
        left -= len(piece) + 2
    if value:
        embed.add_field(name=name, value=value, inline=False)


# ── /about ───────────────────────────────────────────────────────────────────


def _credit(credit: Credit, lang: Lang) -> str:
    names = [_md(credit.name), *(_md(a) for a in credit.aliases)]
    if lang == "ko" and credit.hangul:
        return f"{_md(credit.hangul)} ({', '.join(names)})"
    if lang == "ko":
        return names[0] + (f" ({', '.join(names[1:])})" if names[1:] else "")
    main = f"{names[0]} ({_md(credit.hangul)})" if credit.hangul else names[0]
    if names[1:]:
        main += ", " + label(lang, "about.also", names=", ".join(names[1:]))
    return main


def _release_short(show: ShowData, lang: Lang) -> str:
    year = show.season2.expected_year
    if year is None:
        return label(lang, "release.unknown_short")
    return label(lang, "release.expected_short", year=year)


def about_embed(show: ShowData, lang: Lang) -> discord.Embed:
    series, s1, s2 = show.series, show.season1, show.season2
    embed = _embed(both(series.title, lang), f"{series.genre.get(lang)} · {series.network}")
    author = both(series.source_author, lang)
    source = label(lang, "about.source_value", kind=series.source_kind.get(lang), author=author)
    embed.add_field(name=label(lang, "about.source"), value=source)
    korean = f"{series.title.ko} ({series.short})"
    embed.add_field(name=label(lang, "about.korean_title"), value=korean)
    record = [
        label(lang, "about.hours", hours=count(lang, s1.viewing_hours), days=s1.viewing_days),
        label(lang, "about.countries", count=s1.top10_countries),
        s1.global_top10.get(lang),
    ]
    season1 = label(lang, "about.season1", year=s1.year)
    embed.add_field(name=season1, value=_bullets(record), inline=False)
    status = [
        s2.status.get(lang),
        label(lang, "about.announced", date=s2.announced.isoformat()),
        label(lang, "release.line", text=_release_short(show, lang)),
    ]
    embed.add_field(name=label(lang, "about.season2"), value=_bullets(status), inline=False)
    directors = "\n".join(_credit(d, lang) for d in s2.directors)
    embed.add_field(name=label(lang, "about.directors"), value=directors)
    embed.add_field(name=label(lang, "about.writer"), value=_writer(s2.writer, lang))
    embed.add_field(name=label(lang, "about.production"), value=_md(s2.production), inline=False)
    if s2.co_producers:
        co = ", ".join(_md(c) for c in s2.co_producers)
        embed.add_field(name=label(lang, "about.co_production"), value=co, inline=False)
    embed.set_footer(text=label(lang, "about.footer"))
    return fit_embed(embed)


def _writer(writer: Credit, lang: Lang) -> str:
    text = _credit(writer, lang)
    if writer.credits is not None:
        text += "\n" + label(lang, "about.credits", credits=writer.credits.get(lang))
    return text


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


# ── /release ─────────────────────────────────────────────────────────────────


def release_embed(
    show: ShowData,
    lang: Lang,
    premiere: datetime.datetime | None,
    note: str | None,
    updates: Sequence[TimelineEntry],
    expected: str | None = None,
    episodes: int | None = None,
) -> discord.Embed:
    """The premiere as Discord timestamps when set; else the year or month announced, or what
    the data says (never a guessed date); the episode count once set; then the latest
    updates, newest first."""
    embed = _embed(label(lang, "release.title", title=_series_title(show, lang)))
    lines = [_release_line(show, lang, premiere, expected)]
    if note and note.strip():
        lines.append("📝 " + discord.utils.escape_mentions(truncate(note.strip(), NOTE_MAX)))
    embed.description = "\n\n".join(lines)
    embed.add_field(name=label(lang, "release.status"), value=show.season2.status.get(lang))
    if episodes is not None:
        embed.add_field(name="🎞️", value=label(lang, "release.episodes", count=episodes))
    _add_updates(embed, updates, lang)
    if premiere is not None:
        embed.set_footer(text=label(lang, "release.local_time"))
    return fit_embed(embed)


def _release_line(
    show: ShowData, lang: Lang, premiere: datetime.datetime | None, expected: str | None
) -> str:
    if premiere is None and expected:
        return label(lang, "release.expected_when", when=expected_words(lang, expected))
    if premiere is not None:
        if premiere.tzinfo is None or premiere.utcoffset() is None:
            raise ValueError("premiere must be an aware datetime")
        unix = int(premiere.timestamp())
        return label(lang, "release.premiere", when=f"<t:{unix}:F>", countdown=f"<t:{unix}:R>")
    if show.season2.expected_year is not None:
        return label(lang, "release.expected", year=show.season2.expected_year)
    return label(lang, "release.unknown")


def newest_first(updates: Sequence[TimelineEntry]) -> list[TimelineEntry]:
    """By date, newest first; on the same day the later-listed (later-added) one first."""
    order = sorted(range(len(updates)), key=lambda i: (updates[i].date, i), reverse=True)
    return [updates[i] for i in order]


def _add_updates(embed: discord.Embed, updates: Sequence[TimelineEntry], lang: Lang) -> None:
    latest = newest_first(updates)[:UPDATES_SHOWN]
    if not latest:
        embed.add_field(
            name=label(lang, "release.updates"), value=label(lang, "release.no_updates")
        )
        return
    for i, entry in enumerate(latest):
        date = entry.date.isoformat()
        name = f"{label(lang, 'release.updates')} · {date}" if i == 0 else f"📰 {date}"
        source = label(lang, "release.source", source=_md(truncate(entry.source, 200)))
        text = truncate(entry.text.get(lang), UPDATE_TEXT_MAX)
        embed.add_field(name=name, value=f"{text}\n*{source}*", inline=False)

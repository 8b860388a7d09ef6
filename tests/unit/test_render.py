"""Show embeds: always within Discord's limits, spoilers only on request, no invented dates."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path

import discord
import pytest

from bot import discord_limits as limits
from bot.i18n import Lang
from bot.show.loader import load_show
from bot.show.model import CastMember, Premise, ShowData, Text, TimelineEntry
from bot.ui.show import (
    about_embed,
    cast_card_embed,
    cast_list_embeds,
    newest_first,
    no_match_text,
    plot_embed,
    release_embed,
)

SHOW = load_show(Path(__file__).resolve().parents[2] / "data" / "show.toml")
LANGS: list[Lang] = ["en", "ko"]
PREMIERE = datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _oversized() -> ShowData:
    long = "Extraordinarily-Long-Romanized-Name " * 8
    cast = tuple(
        CastMember(
            actor=Text(f"Actor {i} {long}", f"배우{i} " + "가나다라마바사" * 20),
            character=Text(f"Character {i} {long}", f"인물{i} " + "아자차카타파하" * 20),
            status="returning" if i % 3 == 0 else "new",
            part=Text("A very long part. " * 150, "아주 긴 역할 설명. " * 150),
            spoiler=Text("A spoiler || with pipes. " * 100, "스포일러 " * 400),
            aliases=tuple(f"Alias {i}-{j} {long}" for j in range(5)),
        )
        for i in range(60)
    )
    paragraph = "The outbreak spreads across Seoul and nobody is safe. " * 20
    premise_text = "\n\n".join([paragraph] * 10)  # over 10,000 characters
    assert len(premise_text) > 10_000
    premise = Premise(
        spoiler_free=Text(premise_text, premise_text),
        spoilers=Text(premise_text, premise_text),
    )
    timeline = tuple(
        TimelineEntry(
            date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i),
            text=Text(f"Update {i} " + "news " * 400, f"소식 {i} " + "뉴스 " * 400),
            source="A very long source description " * 20,
        )
        for i in range(200)
    )
    return SHOW._replace(cast=cast, premise=premise, timeline=timeline)


BIG = _oversized()


def assert_embed_fits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= limits.TITLE
    assert len(embed.description or "") <= limits.DESCRIPTION
    assert len(embed.fields) <= limits.FIELDS
    for field in embed.fields:
        assert field.name and field.name.strip() and len(field.name) <= limits.FIELD_NAME
        assert field.value and field.value.strip() and len(field.value) <= limits.FIELD_VALUE
    assert len(embed.footer.text or "") <= limits.FOOTER
    assert len(embed.author.name or "") <= limits.AUTHOR
    assert len(embed) <= limits.EMBED_TOTAL
    assert embed.colour == discord.Colour(0xB3202A)


def assert_message_fits(embeds: Sequence[discord.Embed]) -> None:
    assert 1 <= len(embeds) <= limits.MESSAGE_EMBEDS
    for embed in embeds:
        assert_embed_fits(embed)
    assert sum(len(e) for e in embeds) <= limits.EMBED_TOTAL


def text_of(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


def all_embeds(show: ShowData, lang: Lang) -> list[discord.Embed]:
    return [
        *cast_list_embeds(show, lang),
        *(cast_card_embed(m, lang) for m in show.cast),
        plot_embed(show, lang, spoilers=False),
        plot_embed(show, lang, spoilers=True),
        about_embed(show, lang),
        release_embed(show, lang, None, None, show.timeline),
        release_embed(show, lang, PREMIERE, "x" * 5000, show.timeline),
    ]


# ── limits ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("show", [SHOW, BIG], ids=["real", "oversized"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_embed_fits(show: ShowData, lang: Lang) -> None:
    for embed in all_embeds(show, lang):
        assert_embed_fits(embed)
    assert_message_fits(cast_list_embeds(show, lang))


@pytest.mark.parametrize("lang", LANGS)
def test_oversized_cast_list_is_truncated_cleanly(lang: Lang) -> None:
    embeds = cast_list_embeds(BIG, lang)
    assert_message_fits(embeds)
    values = [f.value or "" for e in embeds for f in e.fields]
    shown = sum(v.count("\n") + 1 for v in values[:-1])
    more = re.search(r"(\d+)", values[-1])
    assert more is not None and values[-1].startswith("…")
    assert shown + int(more.group(1)) == 60


def test_real_cast_list_is_complete() -> None:
    embeds = cast_list_embeds(SHOW, "en")
    assert len(embeds) == 1
    text = text_of(embeds[0])
    assert "…and" not in text
    for member in SHOW.cast:
        for name in (member.actor.en, member.actor.ko, member.character.en, member.character.ko):
            assert name in text
    returning, new = embeds[0].fields
    assert "Returning" in (returning.name or "") and "Lomon" in (returning.value or "")
    assert "New" in (new.name or "") and "Lee Min-jae" in (new.value or "")


def test_truncate() -> None:
    assert limits.truncate("short", 10) == "short"
    cut = limits.truncate("a" * 50, 10)
    assert len(cut) == 10 and cut.endswith("…")
    words = limits.truncate("zombies everywhere in Seoul tonight", 30)
    assert len(words) <= 30 and words.endswith("…") and words == "zombies everywhere in Seoul…"
    assert limits.truncate("abc", 0) == ""


def test_fit_embed_repairs_anything() -> None:
    embed = discord.Embed(title="t" * 1000, description="d" * 10_000, colour=0xB3202A)
    for i in range(40):
        embed.add_field(name="n" * 500 if i else "  ", value="v" * 2000 if i else "")
    embed.set_footer(text="f" * 5000)
    embed.set_author(name="a" * 1000)
    assert_embed_fits(limits.fit_embed(embed))


# ── content ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", LANGS)
def test_plot_hides_spoilers_by_default(lang: Lang) -> None:
    text = text_of(plot_embed(SHOW, lang, spoilers=False))
    assert "||" not in text
    for paragraph in SHOW.premise.paragraphs(lang, spoilers=True):
        assert paragraph not in text
    for paragraph in SHOW.premise.paragraphs(lang, spoilers=False):
        assert paragraph in text
    assert "/plot spoilers:True" in text


@pytest.mark.parametrize("lang", LANGS)
def test_plot_wraps_each_spoiler_paragraph(lang: Lang) -> None:
    embed = plot_embed(SHOW, lang, spoilers=True)
    text = text_of(embed)
    for paragraph in SHOW.premise.paragraphs(lang, spoilers=True):
        assert f"||{paragraph}||" in text
    assert "||" not in (embed.description or "")


@pytest.mark.parametrize("lang", LANGS)
def test_spoiler_tags_survive_truncation(lang: Lang) -> None:
    embed = plot_embed(BIG, lang, spoilers=True)
    spoiler_values = [f.value or "" for f in embed.fields]
    assert spoiler_values
    for value in spoiler_values:
        for piece in value.split("\n\n"):
            assert piece.startswith("||") and piece.endswith("||")
            assert piece[2:-2].count("||") == 0
    card = cast_card_embed(BIG.cast[0], lang)
    spoiler_field = next(f for f in card.fields if "⚠️" in (f.name or ""))
    value = spoiler_field.value or ""
    assert value.startswith("||") and value.endswith("||") and value.count("||") == 2


@pytest.mark.parametrize("lang", LANGS)
def test_release_without_date_never_shows_one(lang: Lang) -> None:
    embed = release_embed(SHOW, lang, None, None, SHOW.timeline)
    description = embed.description or ""
    assert "<t:" not in text_of(embed)
    assert "2026" in description
    assert not re.search(r"\d{4}-\d{2}-\d{2}", description)
    if lang == "ko":
        assert "2026년" in description and "발표되지 않았" in description
    else:
        assert "not announced" in description and "expected" in description


def test_release_without_expected_year() -> None:
    vague = SHOW._replace(season2=SHOW.season2._replace(expected_year=None))
    description = release_embed(vague, "en", None, None, ()).description or ""
    assert "not announced" in description and not re.search(r"\d", description)


@pytest.mark.parametrize("lang", LANGS)
def test_release_with_date_shows_timestamps(lang: Lang) -> None:
    embed = release_embed(SHOW, lang, PREMIERE, "Worldwide on Netflix", SHOW.timeline)
    unix = int(PREMIERE.timestamp())
    description = embed.description or ""
    assert f"<t:{unix}:F>" in description and f"<t:{unix}:R>" in description
    assert "Worldwide on Netflix" in description


def test_release_rejects_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        release_embed(SHOW, "en", datetime.datetime(2026, 5, 1), None, ())


def test_release_updates_newest_first_with_source() -> None:
    updates = [
        TimelineEntry(datetime.date(2025, 7, 23), Text("old news", "옛 소식"), "Press A"),
        TimelineEntry(datetime.date(2026, 1, 2), Text("new news", "새 소식"), "Press B"),
        TimelineEntry(datetime.date(2025, 9, 1), Text("mid news", "중간 소식"), "Press C"),
    ]
    assert [u.text.en for u in newest_first(updates)] == ["new news", "mid news", "old news"]
    embed = release_embed(SHOW, "en", None, None, updates)
    values = [f.value or "" for f in embed.fields][1:]
    assert [v.split("\n")[0] for v in values] == ["new news", "mid news", "old news"]
    assert "2026-01-02" in (embed.fields[1].name or "") and "Press B" in values[0]


def test_release_shows_at_most_five_updates() -> None:
    embed = release_embed(BIG, "en", None, None, BIG.timeline)
    assert len([f for f in embed.fields if "📰" in (f.name or "")]) <= 5
    assert "2020-07-18" in (embed.fields[1].name or "")  # the newest of the 200


@pytest.mark.parametrize("lang", LANGS)
def test_about_has_every_fact(lang: Lang) -> None:
    text = text_of(about_embed(SHOW, lang))
    facts = [
        "지금 우리 학교는",
        "지우학",
        "Joo Dong-geun",
        "주동근",
        "2022",
        "28",
        "90",
        "Lee JQ",
        "이재규",
        "Lee Jae-kyu",
        "Kim Nam-su",
        "Kim Nam-soo",
        "Chun Sung-il",
        "천성일",
        "Chon Song-il",
        "FILM MONSTER Co., Ltd.",
        "SLL Joongang",
        "KIMJONGHAK PRODUCTION",
        "NPIO Entertainment",
        "2025-07-23",
        "2026",
        "Netflix",
    ]
    for fact in facts:
        assert fact in text, fact
    assert ("560.78 million" if lang == "en" else "5억 6078만") in text
    assert ("Your Honor" if lang == "en" else "유어 아너") in text


@pytest.mark.parametrize("lang", LANGS)
def test_korean_variants_use_korean_labels(lang: Lang) -> None:
    for embed in all_embeds(SHOW, lang):
        labels = [embed.title or "", embed.footer.text or "", *(f.name or "" for f in embed.fields)]
        has_hangul = any(HANGUL.search(label) for label in labels)
        if lang == "ko":
            assert has_hangul, embed.title


def test_korean_cast_names_in_both_scripts() -> None:
    text = text_of(cast_list_embeds(SHOW, "ko")[0])
    assert "**박지후** (Park Ji-hu) — 남온조 (Nam On-jo) 역" in text
    assert "**이민재** (Lee Min-jae) — 마루 (Yong Ma-ru) 역" in text
    assert "출연진" in text


def test_cast_card() -> None:
    embed = cast_card_embed(SHOW.cast[6], "en")
    text = text_of(embed)
    assert embed.title == "Roh Jae-won (노재원)"
    assert "Han Du-seok" in text and "한두석" in text and "Ro Jae-won" in text
    assert "||A team leader from the National Intelligence Service||" in text  # as in /plot
    ko = text_of(cast_card_embed(SHOW.cast[6], "ko"))
    assert "노재원 (Roh Jae-won)" in ko and "||국가정보원 팀장이에요||" in ko


# ── echoing user input ───────────────────────────────────────────────────────


@pytest.mark.parametrize("lang", LANGS)
def test_no_match_text_is_safe(lang: Lang) -> None:
    query = "**bold** @everyone @here <@123456789012345678> <@&98765432109876543> <#1> `x`"
    text = no_match_text(query, SHOW.cast[:2], lang)
    assert "**bold**" not in text and "\\*\\*bold" in text
    assert "@everyone" not in text and "@here" not in text
    for mention in ("<@123456789012345678>", "<@&98765432109876543>", "<#1>"):
        assert mention not in text
    assert "Park Ji-hu" in text or "박지후" in text


def test_no_match_text_caps_long_queries() -> None:
    text = no_match_text("Lomon? " * 1000 + "\n" * 50, [], "en")
    assert len(text) < 400 and "…" in text
    assert text.count("\n") <= 2


def test_no_match_text_with_empty_query() -> None:
    assert "type" in no_match_text("   ", [], "en")
    assert "입력" in no_match_text("\u200b", [], "ko")

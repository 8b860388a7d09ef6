"""The shipped facts file: complete per FACTS.md, strictly validated, safely reloadable."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from bot.show.loader import ShowDataError, ShowStore, load_show
from bot.show.model import ShowData, Text
from bot.show.spoilers import leaks, spoiler_phrases, spoils

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "show.toml"
SOURCE = SHIPPED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def show() -> ShowData:
    return load_show(SHIPPED)


# ── the facts ────────────────────────────────────────────────────────────────


def test_series(show: ShowData) -> None:
    s = show.series
    assert (s.title.en, s.title.ko, s.short) == ("All of Us Are Dead", "지금 우리 학교는", "지우학")
    assert s.network == "Netflix"
    assert "zombie" in s.genre.en and "좀비" in s.genre.ko
    assert (s.source_kind.en, s.source_kind.ko) == ("webtoon", "웹툰")
    assert (s.source_author.en, s.source_author.ko) == ("Joo Dong-geun", "주동근")


def test_season_one_record(show: ShowData) -> None:
    s1 = show.season1
    assert s1.year == 2022
    assert s1.viewing_hours == 560_780_000  # 560.78 million, 5억 6078만
    assert s1.viewing_days == 28
    assert s1.top10_countries == 90
    assert "Top 10" in s1.global_top10.en and "non-English" in s1.global_top10.en
    assert "비영어" in s1.global_top10.ko


def test_season_two(show: ShowData) -> None:
    s2 = show.season2
    assert "production" in s2.status.en and "제작" in s2.status.ko
    assert s2.announced == datetime.date(2025, 7, 23)
    assert "teaser" in s2.announcement.en and "티저" in s2.announcement.ko
    assert s2.expected_year == 2026


def test_season_two_crew(show: ShowData) -> None:
    lee, kim = show.season2.directors
    assert (lee.name, lee.hangul, lee.aliases) == ("Lee JQ", "이재규", ("Lee Jae-kyu",))
    # The sources give no Hangul for Kim Nam-su: it must not be made up.
    assert (kim.name, kim.hangul, kim.aliases) == ("Kim Nam-su", None, ("Kim Nam-soo",))
    writer = show.season2.writer
    assert (writer.name, writer.hangul, writer.aliases) == (
        "Chun Sung-il",
        "천성일",
        ("Chon Song-il",),
    )
    assert writer.credits is not None
    assert "Your Honor" in writer.credits.en and "King The Land" in writer.credits.en
    assert show.season2.production == "FILM MONSTER Co., Ltd."
    assert show.season2.co_producers == (
        "SLL Joongang",
        "KIMJONGHAK PRODUCTION",
        "NPIO Entertainment",
    )


CAST = [
    # actor, actor ko, character, character ko, status, aliases
    ("Park Ji-hu", "박지후", "Nam On-jo", "남온조", "returning", ("Park Ji-hoo",)),
    ("Yoon Chan-young", "윤찬영", "Lee Cheong-san", "이청산", "returning", ()),
    ("Cho Yi-hyun", "조이현", "Choi Nam-ra", "최남라", "returning", ()),
    ("Lomon", "로몬", "Lee Su-hyeok", "이수혁", "returning", ()),
    ("Lee Min-jae", "이민재", "Yong Ma-ru", "마루", "new", ()),
    ("Kim Si-eun", "김시은", "So Ju-ran", "주란", "new", ("Kim Si-wool",)),
    ("Roh Jae-won", "노재원", "Han Du-seok", "한두석", "new", ("Ro Jae-won",)),
    ("Yoon Ga-i", "윤가이", "Lee Jong-a", "종아", "new", ("Yoon Ga-ee",)),
]


def test_cast_table(show: ShowData) -> None:
    got = [
        (m.actor.en, m.actor.ko, m.character.en, m.character.ko, m.status, m.aliases)
        for m in show.cast
    ]
    assert got == CAST


def test_cast_parts(show: ShowData) -> None:
    by_actor = {m.actor.en: m for m in show.cast}
    assert "university student" in by_actor["Park Ji-hu"].part.en
    nam_ra = by_actor["Cho Yi-hyun"].spoiler
    assert nam_ra is not None and "half-infected" in nam_ra.en and "반감염자" in nam_ra.ko
    su_hyeok = by_actor["Lomon"].spoiler
    assert su_hyeok is not None and "feelings for Nam-ra" in su_hyeok.en
    assert "senior" in by_actor["Lee Min-jae"].part.en
    ju_ran = by_actor["Kim Si-eun"].part.en
    assert all(s in ju_ran for s in ("student council", "clubs", "Squid Game", "Next Sohee"))
    du_seok = by_actor["Roh Jae-won"].spoiler  # /plot hides it among its spoilers
    assert du_seok is not None and "National Intelligence Service" in du_seok.en
    assert "Intelligence" not in by_actor["Roh Jae-won"].part.en
    assert "outspoken" in by_actor["Yoon Ga-i"].part.en
    assert all(m.part.en and m.part.ko for m in show.cast)


def test_premise(show: ShowData) -> None:
    free = show.premise.spoiler_free.en
    for fact in ("Hyosan High", "university student", "Seoul", "second zombie wave", "trauma"):
        assert fact in free
    for name in ("Cheong-san", "Nam-ra", "Su-hyeok", "Ma-ru", "Ju-ran", "Jong-a"):
        assert name in free
    spoilers = show.premise.spoilers.en
    assert "halbie" in spoilers and "National Intelligence Service" in spoilers
    assert "halbie" not in free and "Intelligence" not in free
    assert "서울" in show.premise.spoiler_free.ko and "반감염자" in show.premise.spoilers.ko
    assert len(show.premise.paragraphs("en", spoilers=False)) == 3


def test_timeline(show: ShowData) -> None:
    assert {e.date for e in show.timeline} == {datetime.date(2025, 7, 23)}
    assert any("teaser" in e.source for e in show.timeline)
    assert all(e.text.en and e.text.ko and e.source for e in show.timeline)


def test_no_invented_links_or_premiere() -> None:
    assert "http" not in SOURCE and "www." not in SOURCE
    assert "premiere" not in SOURCE.split("[season2]")[1].split("[season2.writer]")[0]


# ── validation ───────────────────────────────────────────────────────────────


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "show.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _edit(old: str, new: str, count: int = 1) -> str:
    assert old in SOURCE, old
    return SOURCE.replace(old, new, count)


def _without_cast() -> str:
    start, end = SOURCE.index("\n[[cast]]"), SOURCE.index("\n[[timeline]]")
    return SOURCE[:start] + SOURCE[end:]


BAD_FILES = [
    (
        "missing key",
        _edit(
            'character = { en = "Lee Su-hyeok", ko = "이수혁" }', 'character = { ko = "이수혁" }'
        ),
        "cast[3].character.en: missing key",
    ),
    ("wrong type", _edit("year = 2022", 'year = "2022"'), "season1.year: expected a whole number"),
    ("bool for number", _edit("year = 2022", "year = true"), "season1.year: expected a whole"),
    (
        "bad date string",
        _edit("announced = 2025-07-23", 'announced = "2025-13-45"'),
        "season2.announced: bad date",
    ),
    (
        "impossible TOML date",
        _edit("date = 2025-07-23", "date = 2025-02-30"),
        "timeline[0].date: not valid TOML",
    ),
    (
        "date with a time",
        _edit("announced = 2025-07-23", "announced = 2025-07-23T10:00:00"),
        "season2.announced: expected a date",
    ),
    (
        "unknown key",
        _edit('status = "new"', 'status = "new"\ncharcter = "x"'),
        "cast[4].charcter: unknown key",
    ),
    ("unknown table", SOURCE + "\n[extras]\nx = 1\n", "extras: unknown key"),
    ("empty text", _edit('ko = "온조의 대학 선배"', 'ko = "  "'), "cast[4].part.ko: empty text"),
    (
        "text without languages",
        _edit(
            'part = { en = "Back as Lee Cheong-san", ko = "이청산 역으로 돌아와요" }', 'part = "x"'
        ),
        'cast[1].part: expected { en = "…", ko = "…" }',
    ),
    ("bad status", _edit('status = "new"', 'status = "old"'), "cast[4].status:"),
    (
        "duplicate member",
        _edit('actor = { en = "Yoon Ga-i"', 'actor = { en = "park ji hu"'),
        "cast[7].actor.en: duplicate cast member",
    ),
    ("not TOML at all", "<html>this is not toml</html>", "not valid TOML"),
    ("empty cast", "cast = []\n" + _without_cast(), "cast: must have at least one"),
]


@pytest.mark.parametrize(("problem", "text", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gives_one_clear_line(
    tmp_path: Path, problem: str, text: str, expected: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ShowDataError) as caught:
        load_show(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ShowDataError, match="cannot read"):
        load_show(tmp_path / "nope.toml")
    path = tmp_path / "bin.toml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ShowDataError, match="not UTF-8"):
        load_show(path)


def test_error_names_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, _edit("year = 2022", "year = 2022.5"))
    with pytest.raises(ShowDataError) as caught:
        load_show(path)
    assert caught.value.file == path
    assert caught.value.key == "season1.year"
    assert "decimal" in caught.value.problem


# ── reloading ────────────────────────────────────────────────────────────────


def _touch(path: Path, text: str) -> None:
    """Write and move the mtime on, so a change shows even on coarse-mtime file systems."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_reload_keeps_old_data_on_a_bad_file(tmp_path: Path) -> None:
    path = _write(tmp_path, SOURCE)
    store = ShowStore(path)
    old = store.snapshot
    _touch(path, SOURCE.replace('network = "Netflix"', "network = "))
    with pytest.raises(ShowDataError):
        store.reload()
    assert store.snapshot is old
    assert store.data.series.network == "Netflix"


def test_reload_swaps_in_valid_data_and_names(tmp_path: Path) -> None:
    path = _write(tmp_path, SOURCE)
    store = ShowStore(path)
    _touch(path, SOURCE.replace('en = "Lomon"', 'en = "Lomon Jr"'))
    store.reload()
    assert store.data.cast[3].actor.en == "Lomon Jr"
    assert store.names.match("Lomon Jr").member is store.data.cast[3]


def test_reload_if_changed(tmp_path: Path) -> None:
    path = _write(tmp_path, SOURCE)
    store = ShowStore(path)
    assert store.reload_if_changed() is False

    _touch(path, SOURCE.replace("expected_year = 2026", "expected_year = 2027"))
    assert store.reload_if_changed() is True
    assert store.data.season2.expected_year == 2027
    assert store.reload_if_changed() is False

    _touch(path, SOURCE.replace("expected_year = 2026", "expected_yaer = 2027"))
    with pytest.raises(ShowDataError, match="expected_yaer"):
        store.reload_if_changed()
    assert store.reload_if_changed() is False  # reported once per change, not every poll
    assert store.data.season2.expected_year == 2027

    path.unlink()
    with pytest.raises(ShowDataError, match="cannot read"):
        store.reload_if_changed()
    assert store.data.season2.expected_year == 2027


def test_store_fails_fast_on_a_bad_file(tmp_path: Path) -> None:
    with pytest.raises(ShowDataError):
        ShowStore(_write(tmp_path, "[series]\n"))


def test_cast_and_timeline_tell_nothing_that_plot_hides(show: ShowData) -> None:
    """/cast and /release show openly only what /plot shows openly: a phrase of a spoiler
    (the premise's or a card's) that the spoiler-free premise lacks is in no part or entry."""
    assert leaks(show) == []
    phrases = spoiler_phrases(show)
    assert {"halbie", "national intelligence", "feelings", "반감염자예요"} <= phrases
    assert spoils("Who plays Han Du-seok?", phrases) is None
    assert spoils("Which team leader from the National Intelligence Service…", phrases)


def test_a_part_that_tells_a_spoiler_is_found(show: ShowData) -> None:
    members = list(show.cast)
    du_seok = members[6]
    members[6] = du_seok._replace(part=Text("NIS team leader", "국가정보원 팀장"))
    assert leaks(show._replace(cast=tuple(members))) == [
        "cast[6].part.en: 'leader'",
        "cast[6].part.ko: '국가정보원 팀장'",
    ]

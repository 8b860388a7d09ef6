"""User-facing labels of the show embeds, in English and Korean, and number formatting."""

from __future__ import annotations

from bot.i18n import Lang, add_messages, t

_LABELS: dict[str, dict[Lang, str]] = {
    # /cast
    "cast.title": {"en": "{title} · Season 2 cast", "ko": "{title} 시즌 2 출연진"},
    "cast.summary": {
        "en": "{total} cast members announced: {returning} returning, {new} new.\n"
        "Type `/cast name:` with any of them for their card.",
        "ko": "발표된 출연진은 {total}명이에요. 돌아오는 배우 {returning}명, "
        "새로 합류한 배우 {new}명!\n`/cast name:`에 이름을 넣으면 자세히 볼 수 있어요.",
    },
    "cast.returning": {"en": "🔁 Returning", "ko": "🔁 돌아오는 얼굴"},
    "cast.new": {"en": "✨ New", "ko": "✨ 새로운 얼굴"},
    "cast.cont": {"en": "{name} (cont.)", "ko": "{name} (계속)"},
    "cast.more": {"en": "…and {count} more", "ko": "…외 {count}명"},
    "cast.line": {"en": "{actor} as {character}", "ko": "{actor} — {character} 역"},
    "cast.footer": {"en": "Cast announced by Netflix on {date}", "ko": "{date} 넷플릭스 발표 기준"},
    "card.as": {"en": "as {character}", "ko": "{character} 역"},
    "card.season2": {"en": "Season 2", "ko": "시즌 2"},
    "card.part": {"en": "In season 2", "ko": "시즌 2에서는"},
    "card.spoiler": {"en": "⚠️ Spoiler", "ko": "⚠️ 스포일러"},
    "card.aliases": {"en": "Also spelled", "ko": "다른 표기"},
    "status.returning": {"en": "🔁 Returning", "ko": "🔁 돌아와요"},
    "status.new": {"en": "✨ New this season", "ko": "✨ 새로 합류"},
    "nomatch": {
        "en": "I couldn't find anyone in the cast called “{query}”.",
        "ko": "‘{query}’에 해당하는 출연진을 찾지 못했어요.",
    },
    "nomatch.empty": {
        "en": "Please type a cast member's or character's name.",
        "ko": "배우나 캐릭터 이름을 입력해 주세요.",
    },
    "nomatch.suggest": {
        "en": "Did you mean: {names}?",
        "ko": "혹시 이 중에 찾는 분이 있나요? {names}",
    },
    "nomatch.hint": {
        "en": "`/cast` without a name lists everyone.",
        "ko": "이름 없이 `/cast`를 쓰면 전체 출연진을 볼 수 있어요.",
    },
    # /plot
    "plot.title": {"en": "{title} · Season 2 story", "ko": "{title} 시즌 2 줄거리"},
    "plot.spoilers": {"en": "⚠️ Spoilers", "ko": "⚠️ 스포일러"},
    "plot.hidden": {
        "en": "Some details are hidden to keep this spoiler-free. "
        "Use /plot spoilers:True to see them.",
        "ko": "스포일러가 될 수 있는 내용은 숨겨 두었어요. /plot spoilers:True 로 볼 수 있어요.",
    },
    "plot.shown": {
        "en": "Spoilers are hidden behind the black bars: click to reveal.",
        "ko": "스포일러는 검은 막대 뒤에 있어요. 눌러야 보여요.",
    },
    # /about
    "about.source": {"en": "Based on", "ko": "원작"},
    "about.source_value": {"en": "The {kind} by {author}", "ko": "{author} 작가의 {kind}"},
    "about.korean_title": {"en": "Korean title", "ko": "한국어 제목"},
    "about.season1": {"en": "Season 1 ({year})", "ko": "시즌 1 ({year}년)"},
    "about.hours": {
        "en": "{hours} viewing hours in its first {days} days",
        "ko": "공개 후 {days}일 동안 시청 시간 {hours} 시간",
    },
    "about.countries": {
        "en": "In the Top 10 in more than {count} countries",
        "ko": "{count}개국 이상에서 톱 10 진입",
    },
    "about.season2": {"en": "Season 2", "ko": "시즌 2"},
    "about.announced": {"en": "Announced {date}", "ko": "{date} 발표"},
    "about.directors": {"en": "Directors", "ko": "연출"},
    "about.writer": {"en": "Writer", "ko": "극본"},
    "about.credits": {"en": "Credits: {credits}", "ko": "대표작: {credits}"},
    "about.also": {"en": "also {names}", "ko": "{names}"},
    "about.production": {"en": "Production", "ko": "제작"},
    "about.co_production": {"en": "Co-production", "ko": "공동 제작"},
    "about.footer": {
        "en": "From Netflix's announcement and press coverage",
        "ko": "넷플릭스 발표와 언론 보도 기준",
    },
    # /release
    "release.title": {"en": "{title} · Season 2 release", "ko": "{title} 시즌 2 공개일"},
    "release.premiere": {
        "en": "🗓️ **Premiere:** {when}\n⏳ {countdown}",
        "ko": "🗓️ **공개일:** {when}\n⏳ {countdown}",
    },
    "release.expected": {
        "en": "🗓️ Release date not announced yet: expected in {year}.",
        "ko": "🗓️ 공개일은 아직 발표되지 않았어요. {year}년 공개 예정이에요.",
    },
    "release.unknown": {
        "en": "🗓️ Release date not announced yet.",
        "ko": "🗓️ 공개일은 아직 발표되지 않았어요.",
    },
    "release.line": {"en": "Release: {text}", "ko": "공개: {text}"},
    "release.expected_short": {
        "en": "not announced yet, expected in {year}",
        "ko": "미정 ({year}년 공개 예정)",
    },
    "release.unknown_short": {"en": "not announced yet", "ko": "미정"},
    "release.status": {"en": "Status", "ko": "현재 상황"},
    "release.updates": {"en": "📰 Latest updates", "ko": "📰 최근 소식"},
    "release.source": {"en": "Source: {source}", "ko": "출처: {source}"},
    "release.local_time": {
        "en": "Shown in your own time zone.",
        "ko": "시간은 보는 사람의 시간대로 표시돼요.",
    },
    "release.no_updates": {"en": "No updates yet.", "ko": "아직 소식이 없어요."},
}


add_messages(_LABELS)  # one catalogue for every reply; a key defined twice fails at import
label = t


def count(lang: Lang, n: int) -> str:
    """560_780_000 -> "560.78 million" / "5억 6078만"."""
    return _korean_count(n) if lang == "ko" else _english_count(n)


def _english_count(n: int) -> str:
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if n >= size:
            return f"{n / size:.2f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{n:,}"


def _korean_count(n: int) -> str:
    parts = []
    for size, unit in ((10**12, "조"), (10**8, "억"), (10**4, "만")):
        if n >= size:
            parts.append(f"{n // size}{unit}")
            n %= size
    if n or not parts:
        parts.append(str(n))
    return " ".join(parts)

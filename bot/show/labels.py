"""Number formatting of the show embeds; their labels are in bot/texts/show.toml."""

from __future__ import annotations

from bot.i18n import Lang, t

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

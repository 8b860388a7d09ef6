"""Discord's payload limits, answered like Discord: 400 ``{"code": 50035, "errors": ...}``.

Every check returns a list of :class:`Violation`; ``describe()`` gives one readable line
per problem (kept in ``FakeDiscord.limit_violations``) and ``invalid_form_body()`` the
nested error object discord.py flattens into "In embeds.0.title: ...".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

try:  # the exact Discord rule, if the optional `regex` module is installed
    import regex as _regex

    _NAME_RE: Any = _regex.compile(r"^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$")
except ImportError:  # pragma: no cover - depends on the environment
    _NAME_RE = None

VALID_LOCALES = frozenset(
    {
        *("id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt"),
        *("hu", "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el"),
        *("bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko"),
    }
)
IS_COMPONENTS_V2 = 1 << 15
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    path: Path
    code: str
    message: str

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.path) or "(body)"
        return f"{where}: {self.message}"


def invalid_form_body(violations: list[Violation]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    for v in violations:
        node = errors
        for part in v.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": v.code, "message": v.message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}


def _max_len(path: Path, value: Any, limit: int, what: str = "") -> Iterator[Violation]:
    if value is not None and len(value) > limit:
        yield Violation(
            path,
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {limit} or fewer in length{what} (got {len(value)}).",
        )


def _bad_len(path: Path, value: Any, low: int, high: int) -> Iterator[Violation]:
    size = len(value) if isinstance(value, str) else -1
    if not low <= size <= high:
        got = f"length {size}" if size >= 0 else repr(value)
        yield Violation(
            path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length (got {got})."
        )


# -- messages --
def check_message(body: dict[str, Any], prefix: Path = ()) -> list[Violation]:
    """content / embeds / components / allowed_mentions / nonce of a message payload."""
    out: list[Violation] = []
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        out.append(Violation((*prefix, "content"), "BASE_TYPE_STRING", "Must be a string."))
    elif content is not None:
        out += _max_len((*prefix, "content"), content, 2000)
    out += _check_embeds(body.get("embeds"), (*prefix, "embeds"))
    out += _check_components(body.get("components"), (*prefix, "components"), body.get("flags"))
    out += _check_allowed_mentions(body.get("allowed_mentions"), (*prefix, "allowed_mentions"))
    nonce = body.get("nonce")
    if isinstance(nonce, str):
        out += _max_len((*prefix, "nonce"), nonce, 25)
    return out


def is_empty_message(body: dict[str, Any], files: int) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or files
    )


def _embed_texts(embed: dict[str, Any]) -> Iterator[str]:
    for key in ("title", "description"):
        yield embed.get(key) or ""
    for fld in embed.get("fields") or []:
        yield fld.get("name") or ""
        yield fld.get("value") or ""
    yield (embed.get("footer") or {}).get("text") or ""
    yield (embed.get("author") or {}).get("name") or ""


def _check_embeds(embeds: Any, path: Path) -> list[Violation]:
    if not embeds:
        return []
    out = list(_max_len(path, embeds, 10, " (embeds)"))
    total = 0
    for i, embed in enumerate(embeds):
        at = (*path, i)
        out += _max_len((*at, "title"), embed.get("title"), 256)
        out += _max_len((*at, "description"), embed.get("description"), 4096)
        fields = embed.get("fields") or []
        out += _max_len((*at, "fields"), fields, 25, " (fields)")
        for j, fld in enumerate(fields):
            out += _bad_len((*at, "fields", j, "name"), fld.get("name"), 1, 256)
            out += _bad_len((*at, "fields", j, "value"), fld.get("value"), 1, 1024)
        out += _max_len((*at, "footer", "text"), (embed.get("footer") or {}).get("text"), 2048)
        out += _max_len((*at, "author", "name"), (embed.get("author") or {}).get("name"), 256)
        total += sum(len(t) for t in _embed_texts(embed))
    if total > 6000:
        out.append(
            Violation(
                path,
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of 6000 (got {total} characters in total).",
            )
        )
    return out


def _check_components(rows: Any, path: Path, flags: Any) -> list[Violation]:
    if not rows:
        return []
    out: list[Violation] = []
    if not (isinstance(flags, int) and flags & IS_COMPONENTS_V2):
        out += _max_len(path, rows, 5, " (action rows)")
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row.get("type") != 1:
            continue
        children = row.get("components") or []
        out += _max_len((*path, i, "components"), children, 5, " (components per row)")
        for j, comp in enumerate(children):
            at = (*path, i, "components", j)
            out += _check_component(comp, at, seen)
    return out


def _check_component(comp: dict[str, Any], at: Path, seen: set[str]) -> list[Violation]:
    out: list[Violation] = []
    custom_id = comp.get("custom_id")
    if comp.get("type") == 2:
        out += _max_len((*at, "label"), comp.get("label"), 80)
        if comp.get("style") == 5:
            if not comp.get("url"):
                out.append(
                    Violation((*at, "url"), "BASE_TYPE_REQUIRED", "Link buttons need a url.")
                )
        elif comp.get("style") != 6 and not custom_id:
            out.append(
                Violation((*at, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
            )
    else:
        out += _max_len((*at, "placeholder"), comp.get("placeholder"), 150)
        options = comp.get("options") or []
        out += _max_len((*at, "options"), options, 25, " (select options)")
        for k, opt in enumerate(options):
            for key in ("label", "value", "description"):
                out += _max_len((*at, "options", k, key), opt.get(key), 100)
    if custom_id is not None:
        out += _max_len((*at, "custom_id"), custom_id, 100)
        if custom_id in seen:
            out.append(
                Violation(
                    (*at, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    f"Component custom id cannot be duplicated ({custom_id!r}).",
                )
            )
        seen.add(custom_id)
    return out


def _check_allowed_mentions(am: Any, path: Path) -> list[Violation]:
    if not am:
        return []
    out: list[Violation] = []
    parse = am.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            out.append(
                Violation(
                    path,
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
                )
            )
        out += _max_len((*path, kind), am.get(kind), 100)
    return out


# -- channels --
def check_channel_edit(body: dict[str, Any]) -> list[Violation]:
    """The fields of PATCH /channels/{id} the fake understands (a name of 1-100)."""
    if "name" not in body:
        return []
    return list(_bad_len(("name",), body["name"], 1, 100))


# -- interactions --
def check_callback(body: dict[str, Any]) -> list[Violation]:
    kind, data = body.get("type"), body.get("data") or {}
    if kind in (4, 7):
        return check_message(data, ("data",))
    if kind == 8:
        return check_choices(data.get("choices"), ("data", "choices"))
    return []


def check_choices(choices: Any, path: Path) -> list[Violation]:
    if choices is None:
        return [Violation(path, "BASE_TYPE_REQUIRED", "This field is required")]
    out = list(_max_len(path, choices, 25, " (choices)"))
    for i, choice in enumerate(choices):
        out += _bad_len((*path, i, "name"), choice.get("name"), 1, 100)
        value = choice.get("value")
        if isinstance(value, str):
            out += _max_len((*path, i, "value"), value, 100)
    return out


# -- command sync --
def _valid_name(name: str) -> bool:
    if _NAME_RE is not None:
        return bool(_NAME_RE.match(name))
    return 1 <= len(name) <= 32 and all(c.isalnum() or c in "-_" for c in name)


def _check_name(name: Any, path: Path, *, chat_input: bool = True) -> list[Violation]:
    if not isinstance(name, str):
        return [Violation(path, "BASE_TYPE_STRING", "Must be a string.")]
    if not chat_input:
        return list(_bad_len(path, name, 1, 32))
    if not _valid_name(name):
        return [
            Violation(
                path,
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name {name!r} is invalid (1-32 letters, digits, '-' or '_').",
            )
        ]
    if name != name.lower():
        return [Violation(path, "APPLICATION_COMMAND_INVALID_NAME", f"{name!r} must be lowercase.")]
    return []


def _check_localizations(
    values: Any, path: Path, *, name: bool, chat_input: bool
) -> list[Violation]:
    out: list[Violation] = []
    for locale, text in (values or {}).items():
        if locale not in VALID_LOCALES:
            out.append(
                Violation(
                    (*path, locale),
                    "ENUM_TYPE_COERCE",
                    f"Value {locale!r} is not a valid enum value (Discord locale).",
                )
            )
        elif name:
            out += _check_name(text, (*path, locale), chat_input=chat_input)
        else:
            out += _bad_len((*path, locale), text, 1, 100)
    return out


def check_commands(commands: Any) -> list[Violation]:
    if not isinstance(commands, list):
        return [Violation((), "BASE_TYPE_ARRAY", "Must be an array.")]
    out: list[Violation] = []
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        kind = cmd.get("type") or 1
        key = (kind, cmd.get("name"))
        if key in seen:
            out.append(
                Violation(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({cmd.get('name')!r}).",
                )
            )
        seen.add(key)
        out += _check_command(cmd, (i,), chat_input=kind == 1)
    if sum(1 for c in commands if (c.get("type") or 1) == 1) > 100:
        out.append(Violation((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer slash commands."))
    return out


def _check_command(cmd: dict[str, Any], at: Path, *, chat_input: bool) -> list[Violation]:
    out = _check_name(cmd.get("name"), (*at, "name"), chat_input=chat_input)
    out += _check_localizations(
        cmd.get("name_localizations"), (*at, "name_localizations"), name=True, chat_input=chat_input
    )
    if chat_input:
        out += _bad_len((*at, "description"), cmd.get("description"), 1, 100)
        out += _check_localizations(
            cmd.get("description_localizations"),
            (*at, "description_localizations"),
            name=False,
            chat_input=True,
        )
    options = cmd.get("options") or []
    out += _max_len((*at, "options"), options, 25, " (options)")
    optional_seen = False
    names: set[str] = set()
    for j, opt in enumerate(options):
        opt_at = (*at, "options", j)
        if opt.get("name") in names:
            out.append(
                Violation(
                    (*opt_at, "name"), "DUPLICATE_NAME", f"Duplicate option {opt.get('name')!r}."
                )
            )
        names.add(opt.get("name"))
        if opt.get("type") not in (1, 2):
            if opt.get("required") and optional_seen:
                out.append(
                    Violation(
                        opt_at,
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options.",
                    )
                )
            optional_seen = optional_seen or not opt.get("required")
        out += _check_option(opt, opt_at)
    return out


def _check_option(opt: dict[str, Any], at: Path) -> list[Violation]:
    out = _check_command(opt, at, chat_input=True)  # same name/description/options rules
    choices = opt.get("choices")
    if choices:
        out += _max_len((*at, "choices"), choices, 25, " (choices)")
        for k, choice in enumerate(choices):
            c_at = (*at, "choices", k)
            out += _bad_len((*c_at, "name"), choice.get("name"), 1, 100)
            if isinstance(choice.get("value"), str):
                out += _bad_len((*c_at, "value"), choice.get("value"), 1, 100)
            out += _check_localizations(
                choice.get("name_localizations"),
                (*c_at, "name_localizations"),
                name=False,
                chat_input=True,
            )
        if opt.get("autocomplete"):
            out.append(
                Violation(
                    (*at, "autocomplete"),
                    "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES",
                    "Autocomplete cannot be set on an option that has choices.",
                )
            )
    return out

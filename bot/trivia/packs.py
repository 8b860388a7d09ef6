"""Question packs: YAML files in Red-DiscordBot's trivia-list format.

    AUTHOR: Someone                     # optional
    CONFIG: {...}                       # optional, Red's game settings (not used here)
    What is the fans' shorthand for the Korean title?:
    - 지우학                             # the right answer, shown as such
    - 지우 학                            # other accepted spellings (never a wrong choice)

Two optional keys of our own: `LANGUAGE: ko` (the pack is Korean; default `en`: each server
gets the packs of its language) and `WRONG_CHOICES`, a mapping of a question to its own
wrong choices. Otherwise a question's wrong choices are the pack's other right answers of the
same kind (numbers for a number, words for words), and a question without three is skipped.

Files are read with PyYAML's safe loader (composed into nodes, so that a problem is named with
its line); a broken pack is reported as `<file>:<line>: <problem>` and the others still load.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import NamedTuple

import yaml

from bot.i18n import LANGS, Lang
from bot.trivia.questions import WRONG, Question, make, same_answer

log = logging.getLogger(__name__)

MAX_BYTES = 1_000_000
MAX_TEXT = 300  # a question; a button label is cut shorter when shown
MAX_ANSWER = 200
SUFFIXES = (".yaml", ".yml")
_NUMBER = re.compile(r"[\d\s.,]+")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_RESERVED = {"AUTHOR", "CONFIG", "LANGUAGE", "WRONG_CHOICES"}


class PackError(Exception):
    """One line: `<file>:<line>: <problem>`."""

    def __init__(self, file: Path, line: int | None, problem: str) -> None:
        self.file, self.line, self.problem = file, line, " ".join(problem.split())
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {self.problem}")


class PackQuestion(NamedTuple):
    text: str
    answers: tuple[str, ...]  # the first is shown as the right one
    wrong: tuple[str, ...]  # the pack's own wrong choices for it
    line: int


class Pack(NamedTuple):
    name: str  # the file's name
    author: str | None
    lang: Lang
    questions: tuple[PackQuestion, ...]

    def to_questions(self) -> list[Question]:
        """Its questions with their wrong choices; one without three is left out."""
        out = []
        for i, q in enumerate(self.questions):
            kind = _kind(q.answers[0])
            others = [o.answers[0] for o in self.questions if _kind(o.answers[0]) == kind]
            wrong = q.wrong if len(q.wrong) >= WRONG else [*q.wrong, *others]
            made = make(
                f"pack:{self.name}:{i}", self.lang, q.text, q.answers[0], wrong,
                accepted=q.answers[1:], source=self.name,
            )  # fmt: skip
            if made is None:
                log.warning("%s:%d: fewer than three wrong choices: skipped", self.name, q.line)
            else:
                out.append(made)
        return out


def _kind(text: str) -> tuple[bool, bool]:
    """What an answer is, for the wrong choices of another: a number, or words in Hangul or
    not (a Hangul word is no wrong choice for a city's English name)."""
    number = bool(_NUMBER.fullmatch(text)) and any(ch.isdigit() for ch in text)
    return number, bool(_HANGUL.search(text))


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: yaml.Node, file: Path, what: str, limit: int) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise PackError(file, _line(node), f"{what} must be a single line of text")
    text = " ".join(str(node.value).split())
    if not text:
        raise PackError(file, _line(node), f"{what} is empty")
    if len(text) > limit:
        raise PackError(file, _line(node), f"{what} is longer than {limit} characters")
    return text


def _texts(node: yaml.Node, file: Path, what: str) -> tuple[str, ...]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise PackError(file, _line(node), f"{what} must be a list: [answer, other spellings…]")
    return tuple(_scalar(item, file, what, MAX_ANSWER) for item in node.value)


def parse_pack(text: str, file: Path) -> Pack:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise PackError(file, line, f"not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise PackError(file, None, f"not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else None
        raise PackError(file, line, "expected a mapping of questions to their answers")
    author, lang = None, "en"
    questions: dict[str, tuple[tuple[str, ...], int]] = {}
    wrong: dict[str, tuple[tuple[str, ...], int]] = {}
    for key_node, value in root.value:
        key = _scalar(key_node, file, "a question", MAX_TEXT)
        if key == "AUTHOR":
            author = _scalar(value, file, "AUTHOR", MAX_ANSWER)
        elif key == "LANGUAGE":
            lang = _scalar(value, file, "LANGUAGE", 10)
            if lang not in LANGS:
                raise PackError(file, _line(value), f"LANGUAGE must be en or ko, got {lang!r}")
        elif key == "CONFIG":
            if not isinstance(value, yaml.MappingNode):
                raise PackError(file, _line(value), "CONFIG must be a mapping")
        elif key == "WRONG_CHOICES":
            if not isinstance(value, yaml.MappingNode):
                raise PackError(file, _line(value), "WRONG_CHOICES must map questions to lists")
            for q_node, choices in value.value:
                q = _scalar(q_node, file, "a question", MAX_TEXT)
                wrong[q] = (_texts(choices, file, "wrong choices"), _line(q_node))
        else:
            if key in questions:
                raise PackError(file, _line(key_node), f"the question {key!r} is there twice")
            questions[key] = (_texts(value, file, "the answers"), _line(key_node))
    for q, (choices, line) in wrong.items():
        if q not in questions:
            raise PackError(file, line, f"WRONG_CHOICES names no question of the pack: {q!r}")
        right = questions[q][0]
        for choice in choices:
            if any(same_answer(choice, a) for a in right):
                raise PackError(file, line, f"a wrong choice is an accepted answer: {choice!r}")
    if not questions:
        raise PackError(file, None, "no questions")
    return Pack(
        name=file.name,
        author=author,
        lang="ko" if lang == "ko" else "en",
        questions=tuple(
            PackQuestion(q, answers, wrong.get(q, ((), 0))[0], line)
            for q, (answers, line) in questions.items()
        ),
    )


def load_pack(file: Path) -> Pack:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise PackError(file, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise PackError(file, None, f"larger than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PackError(file, None, "not UTF-8 text") from None
    return parse_pack(text, file)


def load_packs(directory: Path) -> tuple[list[Pack], list[PackError]]:
    """Every pack in the folder, by file name; the broken ones as errors (each logged once)."""
    packs: list[Pack] = []
    errors: list[PackError] = []
    try:
        files = sorted(p for p in directory.iterdir() if p.suffix.lower() in SUFFIXES)
    except OSError as exc:
        error = PackError(directory, None, f"cannot read the folder: {exc.strerror or exc}")
        log.error("trivia packs: %s", error)
        return [], [error]
    for file in files:
        try:
            packs.append(load_pack(file))
        except PackError as exc:
            log.error("trivia pack skipped: %s", exc)
            errors.append(exc)
    return packs, errors

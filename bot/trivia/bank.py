"""The questions games and days draw from: the facts' (made again whenever the facts file
changes) and the packs' (read at start-up and on `/admin reload`), by language."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bot.i18n import Lang
from bot.show.loader import ShowStore
from bot.show.model import ShowData
from bot.trivia.questions import Question, from_facts

if TYPE_CHECKING:
    from bot.trivia.packs import Pack, PackError

log = logging.getLogger(__name__)


class PacksLoaded(NamedTuple):
    packs: int
    questions: int
    broken: tuple[str, ...]  # one line each: `<file>:<line>: <problem>`


class QuestionBank:
    def __init__(self, show: ShowStore, packs_path: Path) -> None:
        self._show = show
        self.packs_path = packs_path
        self._lock = threading.Lock()
        self._facts_of: ShowData | None = None
        self._facts: list[Question] = []
        self._packs: list[Question] = []
        # Read by `reload_packs`: at start-up by the trivia area's job (in a thread, once the
        # gateway is ready) and on /admin reload.
        self.loaded = PacksLoaded(0, 0, ())

    def reload_packs(self) -> PacksLoaded:
        # PyYAML and the packs cost ~30 ms: imported here, not on the way to the first answer
        from bot.trivia.packs import load_packs

        packs, errors = load_packs(self.packs_path)
        questions = [q for pack in packs for q in pack.to_questions()]
        with self._lock:
            self._packs = questions
        self.loaded = _loaded(packs, questions, errors)
        log.info(
            "trivia: %d questions from %d packs in %s%s", len(questions), len(packs),
            self.packs_path, f"; {len(errors)} skipped" if errors else "",
        )  # fmt: skip
        return self.loaded

    def _from_facts(self) -> list[Question]:
        data = self._show.data
        with self._lock:
            if self._facts_of is not data:  # the facts file changed: ask its facts
                self._facts = from_facts(data)
                self._facts_of = data
            return self._facts

    def questions(self, lang: Lang, pack: str | None = None) -> list[Question]:
        """The questions of a language: all of them, or one pack's (its file name)."""
        if pack is not None:
            return [q for q in self._packs if q.lang == lang and q.source == pack]
        facts = self._from_facts()
        return [q for q in (*facts, *self._packs) if q.lang == lang]

    def packs(self, lang: Lang) -> list[str]:
        """The packs that have questions in a language, by file name."""
        return sorted({q.source for q in self._packs if q.lang == lang})

    def pick(
        self, lang: Lang, n: int, rng: random.Random, avoid: Collection[str] = (),
        pack: str | None = None,
    ) -> list[Question]:  # fmt: skip
        """`n` questions (of one pack, if given), each once while there are enough, those in
        `avoid` last."""
        pool = self.questions(lang, pack)
        fresh = [q for q in pool if q.key not in avoid]
        stale = [q for q in pool if q.key in avoid]
        rng.shuffle(fresh)
        rng.shuffle(stale)
        order = fresh + stale
        if not order:
            return []
        picked: list[Question] = []
        while len(picked) < n:
            picked += order[: n - len(picked)]
            rng.shuffle(order)
        return picked


def _loaded(packs: list[Pack], questions: list[Question], errors: list[PackError]) -> PacksLoaded:
    return PacksLoaded(len(packs), len(questions), tuple(str(e) for e in errors))

"""How a member's subscription outcome reads, shared by /notify and the announcement buttons."""

from __future__ import annotations

from bot.i18n import Lang, t
from bot.notify.partial import expected_words
from bot.store.records import wants_dm
from bot.usecases.members import MemberStatus, Subscribed


def subscribed_text(outcome: Subscribed, lang: Lang) -> str:
    lines = []
    if outcome.stored:
        lines.append(t(lang, "notify.subscribed", via=t(lang, f"via.{outcome.stored}")))
    if outcome.reminders is not None and wants_dm(outcome.stored):
        which = t(lang, f"reminders.{outcome.reminders}")
        lines.append(t(lang, "notify.status_reminders", which=which))
    if outcome.role_problem == "no_role":
        lines.append(t(lang, "notify.no_role"))
    elif outcome.role_problem:
        lines.append(t(lang, f"notify.role_{outcome.role_problem}"))
    if outcome.stored in ("dm", "both"):
        lines.append(t(lang, "notify.welcome_coming"))
    if outcome.stored in ("role", "both") and not outcome.has_channel:
        lines.append(t(lang, "notify.no_channel"))
    return "\n".join(lines)


def member_status_text(status: MemberStatus, lang: Lang) -> str:
    sub = status.subscription
    if sub is None:
        return t(lang, "notify.status_none")
    lines = [t(lang, "notify.status", via=t(lang, f"via.{sub.via}"), since=f"<t:{sub.since}:D>")]
    if wants_dm(sub.via):
        lines.append(
            t(lang, "notify.status_reminders", which=t(lang, f"reminders.{sub.reminders}"))
        )
    if status.dm_closed:
        lines.append(t(lang, "notify.status_dm_closed"))
    if status.next is not None:
        due = status.next.due_at
        what = t(lang, f"kind.{status.next.kind}")
        lines.append(t(lang, "notify.next", what=what, when=f"<t:{due}:F> (<t:{due}:R>)"))
    elif status.expected:
        words = expected_words(lang, status.expected)
        lines.append(t(lang, "notify.next_expected", when=words))
    else:
        lines.append(t(lang, "notify.next_none"))
    return "\n".join(lines)

"""What the store hands out: plain, immutable records with Discord ids as 64-bit integers."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Via = Literal["role", "dm", "both"]
VIAS: tuple[Via, ...] = ("role", "dm", "both")
Reminders = Literal["all", "day", "premiere"]  # which timed reminders a DM subscriber wants
REMINDERS: tuple[Reminders, ...] = ("all", "day", "premiere")


def wants_role(via: Via | None) -> bool:
    return via in ("role", "both")


def wants_dm(via: Via | None) -> bool:
    return via in ("dm", "both")


# Records are NamedTuples, not frozen dataclasses, because their classes are cheap to create at
# start-up: a dataclass generates its methods with exec at import (~0.5 ms a class, not ~0.15).


class GuildSettings(NamedTuple):
    guild_id: int
    channel_id: int | None = None
    role_id: int | None = None
    mod_role_id: int | None = None
    locale: str = "en-US"
    countdown_channel_id: int | None = None  # its name shows the time left to the premiere
    discussion: bool = False  # the premiere post opens a discussion thread
    review_channel_id: int | None = None  # the home server's: feed items wait there

    def describe(self) -> str:
        """A compact, mention-free form for the audit log."""
        return (
            f"channel={self.channel_id} role={self.role_id} mod_role={self.mod_role_id}"
            f" countdown={self.countdown_channel_id} discussion={self.discussion}"
            f" review={self.review_channel_id}"
        )


class CountdownState(NamedTuple):
    """What the bot last made of a countdown channel's name."""

    asked: str | None = None  # the name it asked for (None: never renamed)
    shown: str | None = None  # the name Discord stored (a text channel's is normalized)
    renamed_at: int = 0
    retry_at: int = 0  # no rename before this (a 429's retry_after, or a refusal)
    renamed_before: int = 0  # the rename before the last one (0: none)
    premiere_revision: int = 0  # the premiere the name was last made or found right for


class Subscription(NamedTuple):
    guild_id: int
    user_id: int
    via: Via
    user_name: str
    locale: str
    since: int
    reminders: Reminders = "all"


class DmChannel(NamedTuple):
    channel_id: int | None
    closed: bool


class Premiere(NamedTuple):
    starts_at: int | None  # None until the day is known
    timezone: str | None
    note: str | None
    revision: int
    expected: str | None = None  # only a year or month is known: '2026', '2026-09'

    def describe(self) -> str | None:
        if self.starts_at is None:
            return f"expected {self.expected}" if self.expected else None
        return f"{self.starts_at} {self.timezone} {self.note or ''}".strip()

    @property
    def announced(self) -> bool:
        return self.starts_at is not None or self.expected is not None


class Update(NamedTuple):
    id: int
    text: str
    source: str | None
    posted_at: int


class AuditEntry(NamedTuple):
    user_id: int
    action: str
    old_value: str | None
    new_value: str | None
    at: int


class Planned(NamedTuple):
    """A notification still to come."""

    kind: str
    due_at: int


class Audience(NamedTuple):
    """Whom a notification reaches: every announcement channel and DM subscriber
    ('broadcast'), one member of one server ('member'), one server's review channel
    ('review'), or one channel of one server ('channel', e.g. its trivia channel). Stored as
    text: `broadcast`, `member:GUILD:USER`, `review:GUILD`, `channel:GUILD:CHANNEL`."""

    scope: Literal["broadcast", "member", "review", "channel"] = "broadcast"
    guild_id: int | None = None
    user_id: int | None = None
    channel_id: int | None = None

    @classmethod
    def member(cls, guild_id: int, user_id: int) -> Audience:
        return cls("member", guild_id, user_id)

    @classmethod
    def review(cls, guild_id: int) -> Audience:
        return cls("review", guild_id)

    @classmethod
    def channel(cls, guild_id: int, channel_id: int) -> Audience:
        return cls("channel", guild_id, channel_id=channel_id)

    def __str__(self) -> str:
        ids = [str(i) for i in (self.guild_id, self.user_id, self.channel_id) if i is not None]
        return ":".join([self.scope, *ids])

    @classmethod
    def parse(cls, text: str) -> Audience:
        scope, *ids = text.split(":")
        if all(i.isdigit() for i in ids):
            if scope == "broadcast" and not ids:
                return cls()
            if scope == "review" and len(ids) == 1:
                return cls.review(int(ids[0]))
            if scope == "member" and len(ids) == 2:
                return cls.member(int(ids[0]), int(ids[1]))
            if scope == "channel" and len(ids) == 2:
                return cls.channel(int(ids[0]), int(ids[1]))
        raise ValueError(f"unknown audience {text!r}")


BROADCAST = Audience()


class NewNotification(NamedTuple):
    """What to announce, when, and until when it is still worth sending.

    `series` groups notifications that are retired together (every reminder of one premiere
    date); `audience` says whom expansion reaches ('broadcast': every announcement channel and
    every DM subscriber)."""

    kind: str
    payload: dict[str, Any]
    due_at: int
    expires_at: int
    series: str | None = None
    audience: Audience = BROADCAST


class Delivery(NamedTuple):
    """One message to send: where, to whom, and the notification's kind and payload."""

    id: int
    notification_id: int
    kind: str
    payload: dict[str, Any]
    target: str  # 'channel', 'dm' or 'role' (give a subscriber the notification role)
    guild_id: int
    channel_id: int | None
    role_id: int | None
    user_id: int | None
    locale: str
    attempts: int
    expires_at: int
    urgent: bool = False  # addressed to one member, who is waiting for it
    attempt_started_at: int | None = None  # an attempt began and its outcome is unknown
    dm_channel_id: int | None = None  # the subscriber's DM channel, if remembered

    def nonce(self, install_id: str) -> str:
        """The same across retries and restarts; unique per database (at most 25 characters)."""
        return f"{install_id}-{self.id}"[:25]


class Followup(NamedTuple):
    """An interaction waiting on a notification: its token lasts 15 minutes."""

    notification_id: int
    application_id: int
    token: str
    locale: str
    purpose: str  # 'progress': a moderator's confirmation; 'member': a new subscriber
    expires_at: int


class Progress(NamedTuple):
    """Where a notification's deliveries stand."""

    notification_id: int
    kind: str
    sent: int
    pending: int
    failed: int

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.failed

    @property
    def done(self) -> bool:
        return self.pending == 0


class QueueStats(NamedTuple):
    pending: int
    sent: int
    failed: int
    missed: int


class Problem(NamedTuple):
    """A delivery of this server that failed or came too late."""

    kind: str
    state: str
    error: str


class Feed(NamedTuple):
    id: int
    url: str
    title: str
    mode: str  # 'review' or 'auto'
    keywords: tuple[str, ...]
    added_at: int
    etag: str | None
    last_modified: str | None
    checked_at: int | None
    next_check_at: int
    last_item_at: int | None
    last_error: str | None
    failing_since: int | None
    failures: int
    not_well_formed: str | None = None  # the parser's first complaint about its last document


class FeedItem(NamedTuple):
    id: int
    feed_id: int | None
    guid: str | None
    link: str | None  # canonical: a key to compare
    url: str | None  # as the feed gave it: to show
    title: str
    summary: str
    source: str
    published_at: int | None
    state: str  # 'seen', 'pending', 'approved', 'dismissed', 'announced'
    decided_by: int | None = None
    decided_at: int | None = None


class ProcessRecord(NamedTuple):
    """One running bot process, as its last heartbeat described it."""

    id: str
    host: str
    pid: int
    shards: str  # '0-1 of 4', or 'all'
    sender: bool  # the one that sends the outbox
    started_at: int
    heartbeat_at: int
    event_servers: int = 0  # its servers where the bot may manage scheduled events
    events_refused: tuple[str, ...] = ()  # the names of its servers where it may not

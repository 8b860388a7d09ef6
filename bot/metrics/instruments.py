"""The bot's own Prometheus registry and what goes into it.

Counted as it happens: deliveries by kind and outcome (the dispatcher's `on_outcome`),
interactions by command and the time from receipt to Discord's answer to the first response
(`InteractionTimer`, which keeps them in plain lists until a scrape: a command pays a few
appends), news-feed fetches by outcome. Read when scraped (`Scraped`): the REST
limiter's counts, each shard's connection and heartbeat latency, readiness, and what the
database says of the outbox and the subscribers (set by the server just before).

Labels stay bounded: command names (component presses are `button` or `select`), notification
kinds and outcomes, shard ids; never a user, server or channel id.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import discord
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.feeds.fetch import FetchResult
from bot.metrics.probes import Shards
from bot.rest_limit import RestLimiter
from bot.store.health import OutboxDue
from bot.usecases.ports import Fetcher

log = logging.getLogger(__name__)

# Discord wants an answer within 3 s: the buckets around it are the ones that matter.
INTERACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
# An interaction whose answer has not been seen after this long is forgotten (Discord has
# given up on it after 3 s anyway).
FORGET_AFTER_S = 30.0
MAX_PENDING = 10_000
# Counts and times wait in plain lists until a scrape (or until there are this many): the
# Prometheus types take a lock and more per call, and each command would pay for it.
FOLD_AT = 10_000
SUBCOMMAND = (1, 2)  # an option that is a subcommand or a subcommand group


def command_label(interaction: discord.Interaction) -> str:
    """A bounded label: the command's qualified name (as Discord sends it: only the bot's own
    commands reach it), or what kind of interaction it is."""
    kind = interaction.type
    data: Any = interaction.data or {}
    if kind is discord.InteractionType.application_command:
        names = [str(data.get("name", "unknown"))]
        options = data.get("options") or ()
        while options and options[0].get("type") in SUBCOMMAND:
            names.append(str(options[0].get("name")))
            options = options[0].get("options") or ()
        return " ".join(names)
    if kind is discord.InteractionType.autocomplete:
        return "autocomplete"
    if kind is discord.InteractionType.component:
        return "button" if data.get("component_type") == 2 else "select"
    if kind is discord.InteractionType.modal_submit:
        return "modal"
    return "other"


class InteractionTimer:
    """Counts each interaction as it arrives and times it until Discord accepted its first
    response (a reply, a deferral, an autocomplete's choices): the interval Discord allows
    3 s for. The answer is seen in the bot's HTTP session, as the callback's response.

    Per interaction it only appends to plain lists; `fold()` (before each scrape) adds them to
    the counter and the histogram."""

    def __init__(self, count: Counter, seconds: Histogram) -> None:
        self._count = count
        self._seconds = seconds
        self._received: list[str] = []  # labels of interactions received since the last fold
        self._answered: list[tuple[str, float]] = []  # (label, seconds) since the last fold
        self._pending: dict[int, tuple[float, str]] = {}  # interaction id -> (receipt, label)

    def received(self, interaction: discord.Interaction) -> None:
        try:
            label = command_label(interaction)
        except Exception:  # a payload that does not make sense: still counted
            label = "unknown"
        now = time.perf_counter()
        self._received.append(label)
        self._pending[interaction.id] = (now, label)
        self._forget_old(now)
        if len(self._received) >= FOLD_AT:
            self.fold()

    def _forget_old(self, now: float) -> None:
        pending = self._pending
        while pending:
            oldest = next(iter(pending))  # dicts keep their insertion order
            if now - pending[oldest][0] < FORGET_AFTER_S and len(pending) <= MAX_PENDING:
                break
            del pending[oldest]

    async def on_request_end(self, _session: Any, _context: Any, params: Any) -> None:
        """aiohttp's trace hook: a request of the bot's session got its response."""
        if params.method != "POST":
            return
        path = params.url.raw_path  # …/interactions/<id>/<token>/callback
        if not path.endswith("/callback") or not 200 <= params.response.status < 300:
            return
        parts = path.rsplit("/", 4)
        if len(parts) < 5 or parts[1] != "interactions" or not parts[2].isdigit():
            return
        started = self._pending.pop(int(parts[2]), None)
        if started is not None:
            self._answered.append((started[1], time.perf_counter() - started[0]))
            if len(self._answered) >= FOLD_AT:
                self.fold()

    def fold(self) -> None:
        """What was counted since the last fold, into the counter and the histogram."""
        received, self._received = self._received, []
        answered, self._answered = self._answered, []
        for label, count in collections.Counter(received).items():
            self._count.labels(label).inc(count)
        for label, seconds in answered:
            self._seconds.labels(label).observe(seconds)


class Snapshot(NamedTuple):
    """What the database said at one scrape."""

    now: int  # the bot's clock when asked
    due: OutboxDue
    subscribers: dict[str, int]


class Scraped(Collector):
    """The figures read when `/metrics` is scraped."""

    def __init__(self) -> None:
        self.limiter: RestLimiter | None = None
        self.shards: Shards | None = None
        self.ready: bool | None = None
        self.database_up: bool | None = None
        self.snapshot: Snapshot | None = None  # None: the database did not answer in time

    def collect(self) -> Iterator[Metric]:
        if self.limiter is not None:
            yield CounterMetricFamily(
                "aoad_rest_requests",
                "REST requests the bot made to Discord (retries and interaction answers included)",
                value=self.limiter.requests,
            )
            yield CounterMetricFamily(
                "aoad_rest_429", "REST requests Discord answered with 429 (any scope)",
                value=self.limiter.rate_limited,
            )  # fmt: skip
        if self.shards is not None:
            yield from self._shards(self.shards)
        if self.ready is not None:
            yield GaugeMetricFamily(
                "aoad_ready", "1 when /readyz would answer 200: every shard of this process"
                " connected and the database answering", value=float(self.ready),
            )  # fmt: skip
        if self.database_up is not None:
            yield GaugeMetricFamily(
                "aoad_database_up", "1 when the database answered this scrape's queries in time",
                value=float(self.database_up),
            )  # fmt: skip
        if self.snapshot is not None:
            yield from self._outbox(self.snapshot)

    def _shards(self, shards: Shards) -> Iterator[Metric]:
        connected = GaugeMetricFamily(
            "aoad_shard_connected", "1 while the shard is connected to the gateway",
            labels=["shard"],
        )  # fmt: skip
        latency = GaugeMetricFamily(
            "aoad_gateway_latency_seconds", "The shard's last heartbeat round trip",
            labels=["shard"],
        )  # fmt: skip
        for shard_id, state in shards.states().items():
            connected.add_metric([str(shard_id)], float(state.connected))
            if state.latency_s is not None:
                latency.add_metric([str(shard_id)], state.latency_s)
        yield connected
        yield latency

    def _outbox(self, snapshot: Snapshot) -> Iterator[Metric]:
        due = snapshot.due
        yield GaugeMetricFamily(
            "aoad_outbox_due", "Deliveries due now and not sent yet (the whole bot's)",
            value=due.deliveries,
        )  # fmt: skip
        oldest = 0 if due.oldest_due_at is None else max(0, snapshot.now - due.oldest_due_at)
        yield GaugeMetricFamily(
            "aoad_outbox_oldest_due_seconds",
            "How long the oldest due delivery (or notification not yet expanded) has waited;"
            " 0 when nothing is due",
            value=oldest,
        )
        subscribers = GaugeMetricFamily(
            "aoad_subscribers", "Subscriptions in all servers, by how they are reached",
            labels=["via"],
        )  # fmt: skip
        for via, count in snapshot.subscribers.items():
            subscribers.add_metric([via], count)
        yield subscribers


class Metrics:
    """The registry of one bot (not prometheus_client's global one) and its instruments."""

    def __init__(self) -> None:
        # no `_created` series: half the output, and nothing Prometheus needs
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)  # memory, CPU, open files, start time; GC
        self.deliveries = Counter(
            "aoad_deliveries",
            "Deliveries whose outcome this process decided, by notification kind and outcome:"
            " sent, found (an earlier attempt's message was there), retry, failed, missed,"
            " dm_closed",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.interactions = Counter(
            "aoad_interactions",
            "Interactions received, by command (autocomplete, button, select, modal for the"
            " others)",
            ["command"],
            registry=self.registry,
        )
        self.interaction_seconds = Histogram(
            "aoad_interaction_seconds",
            "From an interaction's receipt to Discord's acceptance of its first response",
            ["command"],
            buckets=INTERACTION_BUCKETS,
            registry=self.registry,
        )
        self.feed_checks = Counter(
            "aoad_feed_checks",
            "News-feed fetches (each check, and the first read of a feed added), by outcome:"
            " fetched, not_modified, error",
            ["outcome"],
            registry=self.registry,
        )
        self.timer = InteractionTimer(self.interactions, self.interaction_seconds)
        self.scraped = Scraped()
        self.registry.register(self.scraped)

    def delivery_outcome(self, kind: str, outcome: str) -> None:
        self.deliveries.labels(kind, outcome).inc()

    def count_feed_checks(self, fetch: Fetcher) -> Fetcher:
        """`fetch`, counting each call's outcome."""
        counter = self.feed_checks

        async def counted(url: str, etag: str | None, modified: str | None) -> FetchResult:
            try:
                result = await fetch(url, etag, modified)
            except Exception:
                counter.labels("error").inc()
                raise
            counter.labels("not_modified" if result.status == "not_modified" else "fetched").inc()
            return result

        return counted

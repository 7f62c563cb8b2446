"""One poll of one social source: fetch from the stored cursor (or again from a meeting's
window start), store the posts, the cursor and the health in one transaction, re-check published
posts at their source. The schedule and the lease are integrations/social/runner.py's.

A write is fenced when asked: it renews the polling lease in its own transaction and is refused
(``LostLease``) if another process holds it, so a process that lost the lease mid-poll stores
nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hub.actions.leases import claim
from hub.actions.social import record_failure, store_poll
from hub.actions.social_withdrawal import mark_checked, withdraw_gone
from hub.broker import Broker
from hub.events.publish import Writer, writing
from hub.leadership import DEFAULT_TTL, Leadership
from hub.models import Meeting, SocialSource, utcnow
from hub.queries.social import Target, due_rechecks, pollable_sources, targets
from hub.secrets import Secrets, Unreadable
from hub.types import SessionFactory
from integrations.backoff import CAP_S, backoff_seconds, not_before
from integrations.social.bluesky import BlueskySource
from integrations.social.clients import (
    CannotPoll,
    SourceFactory,
    build_source,
    close_source,
    deleted_posts,
)
from integrations.social.cursors import start_cursor, where_to_start
from integrations.social.mastodon import MastodonSource
from integrations.social.models import (
    AuthFailed,
    FetchResult,
    RateLimited,
    SourceError,
    SourceUnavailable,
)
from integrations.social.models import (
    SocialSource as Source,
)
from integrations.social.x import XSource

logger = logging.getLogger(__name__)

LEASE_NAME = "social-poller"
DEFAULT_POLL_S = 30.0
# A source that stopped at its page budget with more waiting polls again this soon.
MORE_WAITING_S = 2.0
# Published posts are re-checked at their source at most this often each, this many a poll:
# a deleted post leaves the page within about two minutes, at one Mastodon request per post
# (25 a poll is well inside an instance's 300 requests per 5 minutes) or one Bluesky
# getPosts call (it takes 25 uris).
RECHECK_EVERY = timedelta(minutes=2)
RECHECK_BATCH = 25
# An unchanged source's health is sent to the consoles at most this often (posts stored or a
# change of state are sent at once): 36 events in a 3-hour meeting, not one per poll.
HEALTH_REFRESH = timedelta(minutes=5)
# X's recent search reaches back 7 days; a start_time older than that is refused (400).
X_REACH = timedelta(days=7) - timedelta(minutes=10)


class LostLease(Exception):
    """Another process holds the polling lease: this one must not store anything."""


@dataclass(frozen=True)
class PollReport:
    """What one poll of one source did."""

    source_id: int
    name: str
    platform: str
    tags: dict[int, tuple[str, ...]]  # meeting id -> the tags it was polled for
    fetched: int = 0
    stored: dict[int, list[int]] = field(default_factory=dict)  # new contribution ids
    replaced: dict[int, list[int]] = field(default_factory=dict)  # X edits
    withdrawn: dict[int, list[int]] = field(default_factory=dict)  # deleted at the source
    error: str | None = None
    stopped: bool = False
    next_poll_at: datetime | None = None


@dataclass
class _Client:
    credentials: str | None
    base_url: str | None
    source: Source


class SourcePoller:
    """Polls sources on demand; SocialRunner adds the schedule and the lease."""

    def __init__(
        self,
        sessionmaker: SessionFactory,
        broker: Broker,
        secrets: Secrets,
        *,
        poll_s: float = DEFAULT_POLL_S,
        lease_ttl: timedelta = DEFAULT_TTL,
        holder: str | None = None,
        factory: SourceFactory = build_source,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._sessionmaker, self._broker, self._secrets = sessionmaker, broker, secrets
        self.poll_s = poll_s
        self.leadership = Leadership(sessionmaker, broker, LEASE_NAME, holder, lease_ttl)
        self._factory, self._clock, self._rng = factory, clock, rng or random.Random()
        self._main: asyncio.Task[None] | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._clients: dict[int, _Client] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._announced: dict[int, datetime] = {}

    # ---- one poll ----------------------------------------------------------------------------

    async def poll_once(self, meeting_id: int | None = None) -> list[PollReport]:
        """One poll of every source that has something to poll (of ``meeting_id``'s council
        only, if given), now: no lease, no schedule. Safe beside a running poller: posts are
        stored once per meeting and each stored cursor matches what was stored with it."""
        async with self._sessionmaker() as session:
            ids = await pollable_sources(session, self._clock())
            if meeting_id is not None:
                meeting = await session.get(Meeting, meeting_id)
                council = meeting.council_id if meeting is not None else None
                ids = [
                    sid
                    for sid in ids
                    if (s := await session.get(SocialSource, sid)) is not None
                    and s.council_id == council
                ]
        reports = []
        for sid in ids:
            report = await self.poll_source(sid, fence=False)
            if report is not None:
                reports.append(report)
        return reports

    async def poll_source(self, sid: int, *, fence: bool) -> PollReport | None:
        """One poll of one source; None when it has nothing to poll (no meeting in its window,
        or stopped). ``fence``: store only while this process holds the lease."""
        lock = self._locks.setdefault(sid, asyncio.Lock())
        async with lock:
            return await self._poll(sid, fence)

    async def _poll(self, sid: int, fence: bool) -> PollReport | None:
        now = self._clock()
        async with self._sessionmaker() as session:
            source = await session.get(SocialSource, sid)
            if source is None or not source.enabled or source.stopped_reason:
                return None
            goals = await targets(session, source.council_id, now)
            if not goals:
                return None
            platform, name = source.platform, source.name
            stored_cursor, failures = source.cursor, source.failures
            restart = where_to_start(
                goals, source.cursor, source.cursor_tags, source.last_success_at
            )
            credentials, base_url = source.credentials, source.base_url
        tags = {t.meeting_id: t.tags for t in goals}
        every_tag = sorted({tag for t in goals for tag in t.tags})
        tag_key = " ".join(every_tag)
        report = PollReport(sid, name, platform, tags)
        try:
            client = await self._client(sid, platform, base_url, credentials)
        except CannotPoll as exc:
            error = f"It cannot poll: {exc}."
            await self._failed(sid, tags, error, failures, fence, stopped=True)
            return _with(report, error=error, stopped=True)
        cursor = stored_cursor if restart is None else start_cursor(platform, restart)
        if isinstance(client, XSource):
            # Read only when there is no since_id: a first poll, one starting again, and the
            # pages after either (the same window, so X's next_token stays valid).
            earliest = restart or min(t.start for t in goals)
            client.start_time = max(earliest, now - X_REACH)
        try:
            result: FetchResult = await client.fetch(every_tag, cursor)
        except SourceError as exc:
            return await self._fetch_failed(report, exc, failures, fence)
        after = self._clock()
        next_at = after + timedelta(seconds=MORE_WAITING_S if result.more else self.poll_s)
        async with self._writing(fence) as w:
            stored = await store_poll(
                w, sid, result, tags, after, next_at, tag_key, announce=self._refresh_due(sid)
            )
        if stored.announced:
            self._announced[sid] = utcnow()
        withdrawn = await self._recheck(sid, client, goals, fence)
        return _with(
            report,
            fetched=len(result.posts),
            stored=stored.new,
            replaced=stored.replaced,
            withdrawn=withdrawn,
            next_poll_at=next_at,
        )

    async def _client(
        self, sid: int, platform: str, base_url: str | None, credentials: str | None
    ) -> Source:
        """The source object, kept between polls (a Bluesky session is made once), rebuilt
        when its credentials or URL change."""
        kept = self._clients.get(sid)
        if kept is not None and (kept.credentials, kept.base_url) == (credentials, base_url):
            return kept.source
        if kept is not None:
            await close_source(self._clients.pop(sid).source)
        values: Mapping[str, str] = {}
        if credentials:
            try:
                values = self._secrets.decrypt(credentials)
            except Unreadable:
                raise CannotPoll(
                    "its stored credentials cannot be read with this hub's key (was "
                    "COUNCIL_HUB_CREDENTIALS_KEY changed?): set them again"
                ) from None
        source = self._factory(platform, base_url, values)
        self._clients[sid] = _Client(credentials, base_url, source)
        return source

    async def _fetch_failed(
        self, report: PollReport, exc: SourceError, failures: int, fence: bool
    ) -> PollReport:
        now = utcnow()
        wait = self.poll_s + self._backoff(failures + 1)
        reset: datetime | None = None
        stopped = False
        if isinstance(exc, AuthFailed):
            stopped = True
            error = f"The platform refused the credentials ({exc.status}: {exc.reason})."
        elif isinstance(exc, RateLimited):
            # The reset it announced; without one, the backoff (never sooner than a poll).
            reset = not_before(exc.reset_at, now, wait)
            error = (
                "Rate limited by the platform until the reset it announced."
                if exc.reset_at is not None
                else "Rate limited by the platform, without a reset time: backing off."
            )
        else:
            error = f"{exc}." if isinstance(exc, SourceUnavailable) else f"Failed: {exc}."
        next_at = None if stopped else (reset or now + timedelta(seconds=wait))
        logger.warning("social source %s (%s): %s", report.name, report.platform, error)
        await self._failed(
            report.source_id, report.tags, error, failures, fence, stopped=stopped,
            next_at=next_at, reset=reset,
        )  # fmt: skip
        return _with(report, error=error, stopped=stopped, next_poll_at=next_at)

    async def _failed(
        self,
        sid: int,
        tags: Mapping[int, tuple[str, ...]],
        error: str,
        failures: int,
        fence: bool,
        *,
        stopped: bool,
        next_at: datetime | None = None,
        reset: datetime | None = None,
    ) -> None:
        async with self._writing(fence) as w:
            announced = await record_failure(
                w,
                sid,
                error,
                utcnow(),
                next_at,
                rate_limit_reset_at=reset,
                stopped=stopped,
                meetings=sorted(tags),
                announce=self._refresh_due(sid),
            )
        if announced:
            self._announced[sid] = utcnow()

    async def _recheck(
        self, sid: int, client: Source, goals: Sequence[Target], fence: bool
    ) -> dict[int, list[int]]:
        """Published posts of meetings in session, checked at their source; the gone ones
        withdrawn. A failure here is logged and left to the next poll."""
        in_session = [t.meeting_id for t in goals if t.in_session]
        if not in_session or not isinstance(client, MastodonSource | BlueskySource):
            return {}
        now = self._clock()
        async with self._sessionmaker() as session:
            due = await due_rechecks(session, sid, in_session, now - RECHECK_EVERY, RECHECK_BATCH)
        if not due:
            return {}
        try:
            gone = await deleted_posts(client, due)
        except SourceError as exc:
            logger.info("re-checking posts of source %s failed (%s); next poll", sid, exc)
            return {}
        withdrawn: dict[int, list[int]] = {}
        async with self._writing(fence) as w:
            for mid in sorted({d.meeting_id for d in gone}):
                ids = [d.contribution_id for d in gone if d.meeting_id == mid]
                done = await withdraw_gone(w, mid, ids, now)
                if done:
                    withdrawn[mid] = done
            await mark_checked(w, [d.contribution_id for d in due if d not in gone], now)
        return withdrawn

    # ---- helpers -----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _writing(self, fence: bool) -> AsyncIterator[Writer]:
        async with writing(self._sessionmaker, self._broker) as w:
            if fence and not await claim(
                w, LEASE_NAME, self.leadership.holder, self.leadership.ttl, utcnow()
            ):
                raise LostLease
            yield w

    def _refresh_due(self, sid: int) -> bool:
        last = self._announced.get(sid)
        return last is None or utcnow() - last >= HEALTH_REFRESH

    def _backoff(self, failures: int) -> float:
        return backoff_seconds(failures, base=self.poll_s, cap=CAP_S, rng=self._rng)


def _with(report: PollReport, **changes: object) -> PollReport:
    from dataclasses import replace

    return replace(report, **changes)  # type: ignore[arg-type]

"""The poller: one task per social source (a council's X, each Mastodon instance, each Bluesky
account), in one process of however many run, storing what it fetches through hub/actions.

- **One process polls.** A lease in the database (hub/leadership.py) names the process that
  polls; the others wait, and take over within the lease's lifetime (45 s) when its holder
  dies. It is claimed only while some source has something to poll (and handed back after),
  so a hub with no source in use writes nothing for it. Every write of a poll renews the
  lease in the same transaction and is refused if it was lost (a fence), so a process that
  lost it mid-poll stores nothing.
- **When.** A source polls while its council has a meeting in its window (hub/queries/social.py:
  from ``social_window_minutes`` before the start, while live or adjourned, until that long
  after it closed), every ``social_poll_seconds``; polling stops when no meeting is left.
- **What.** One request per source per poll covers every tag of every meeting in the window
  (X bills each post read: each post is read once); each post goes to the meetings whose tags
  it carries. When the tags change (another meeting came into its window) or a meeting entered
  its window after the last poll, the source starts again from that meeting's window start
  (X by ``start_time``, Mastodon by a ``min_id`` made from the time, Bluesky by ``since``): what
  was already stored comes again and is skipped (posts are stored once per meeting by uri).
- **Resuming.** The cursor is stored with the posts in one transaction (store_poll), so a
  restart or a takeover resumes where the last committed poll ended: no duplicate, no gap.
- **Failing.** A 401/403 stops the source with the platform's reason until staff change its
  credentials; a 429 waits for the reset the platform announced (or, without one, backs off:
  never sooner than a normal poll); anything else backs off exponentially with full jitter
  (integrations/backoff.py). A failing source never raises into the meeting: its task records
  the failure (health) and waits.
- **Deleted at the source.** While a meeting is in session, its published Mastodon and Bluesky
  posts are re-checked (the least recently checked first, a batch per poll) and the ones gone are
  withdrawn (hub/actions/social.py's withdraw_gone: an event takes them off every page).
- **Health.** Each poll writes the source's health (last success, posts fetched, next poll,
  rate-limit reset, last error, stopped reason); the consoles of the meetings polled get a
  ``social.source.health`` event when it changes, when posts were stored, and otherwise at most
  every ``HEALTH_REFRESH``.

``poll_once`` runs one poll of every source now, without the lease or the schedule (the CLI's
``social poll --once``, and tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hub.actions.leases import claim
from hub.actions.social import mark_checked, record_failure, store_poll, withdraw_gone
from hub.broker import Broker
from hub.events.publish import Writer, writing
from hub.leadership import DEFAULT_TTL, Leadership
from hub.models import Meeting, SocialSource, utcnow
from hub.queries.social import Recheck, Target, due_rechecks, pollable_sources, targets
from hub.secrets import Secrets, Unreadable
from hub.types import SessionFactory
from integrations.backoff import CAP_S, backoff_seconds, not_before
from integrations.social.bluesky import DEFAULT_SERVICE, BlueskySource
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
from integrations.social.x import DEFAULT_API_BASE, XSource

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
# What each platform's credentials hold (hub/secrets.py encrypts them as one JSON object).
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "x": ("bearer_token",),
    "bluesky": ("handle", "app_password"),
    "mastodon": (),
}

SourceFactory = Callable[[str, "str | None", Mapping[str, str]], Source]


class CannotPoll(Exception):
    """The source cannot be built: no credentials, or none this hub's key can read."""


class LostLease(Exception):
    """Another process holds the polling lease: this one must not store anything."""


def build_source(platform: str, base_url: str | None, credentials: Mapping[str, str]) -> Source:
    """A source object for a configured source (the seam tests and the CLI share)."""
    missing = [f for f in CREDENTIAL_FIELDS.get(platform, ()) if not credentials.get(f)]
    if missing:
        raise CannotPoll(f"its credentials are not set ({', '.join(missing)} missing)")
    if platform == "x":
        return XSource(credentials["bearer_token"], api_base=base_url or DEFAULT_API_BASE)
    if platform == "bluesky":
        return BlueskySource(
            credentials["handle"], credentials["app_password"], service=base_url or DEFAULT_SERVICE
        )
    if platform == "mastodon":
        if not base_url:
            raise CannotPoll("a Mastodon source needs its instance's URL")
        return MastodonSource(base_url)
    raise CannotPoll(f"unknown platform {platform!r}")


def start_cursor(platform: str, start: datetime) -> str | None:
    """A cursor that makes the source read from ``start`` (X takes ``start_time`` instead)."""
    start = start.astimezone(UTC)
    if platform == "mastodon":
        # Mastodon's ids are milliseconds since 1970 shifted left 16 bits: min_id of a time's
        # id returns the statuses after that time.
        return str(int(start.timestamp() * 1000) << 16)
    if platform == "bluesky":
        return start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return None


def where_to_start(
    goals: Sequence[Target],
    cursor: str | None,
    cursor_tags: str | None,
    last_success_at: datetime | None,
) -> datetime | None:
    """None: go on from the stored cursor. Else the time to read from again: the earliest
    window start of a meeting whose tags the cursor was not for, or that came into its window
    after the last successful poll (its posts since then were never asked for)."""
    if cursor is None:
        return min(t.start for t in goals)
    before = set((cursor_tags or "").split())
    behind = [
        t.start
        for t in goals
        if set(t.tags) - before or last_success_at is None or last_success_at < t.start
    ]
    return min(behind) if behind else None


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


class SocialRunner:
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

    # ---- the loops ---------------------------------------------------------------------------

    def start(self) -> None:
        self._main = asyncio.create_task(self._lead(), name="council-hub-social-poller")

    @property
    def polling(self) -> list[int]:
        """The ids of the sources this process has a polling task for."""
        return sorted(sid for sid, task in self._tasks.items() if not task.done())

    async def close(self) -> None:
        if self._main is not None:
            self._main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
            self._main = None
        await self._stop_tasks()
        await self.leadership.give_up()

    async def _lead(self) -> None:
        while True:
            try:
                # The lease is wanted only while there is something to poll: a hub with no
                # source in use writes nothing (no lease renewal every 15 s on SQLite's one
                # writer), and one that had some hands the lease back when they are done.
                async with self._sessionmaker() as session:
                    wanted = set(await pollable_sources(session, self._clock()))
                if not wanted:
                    await self._stop_tasks()
                    await self.leadership.give_up()
                elif await self.leadership.renew():
                    await self._reconcile(wanted)
                else:
                    await self._stop_tasks()
            except Exception:
                logger.exception("the social poller's round failed; trying again")
            await asyncio.sleep(self.leadership.renew_every_s)

    async def _reconcile(self, wanted: set[int]) -> None:
        """A task for each source that has something to poll, none for the others."""
        for sid, task in list(self._tasks.items()):
            if sid not in wanted or task.done():
                await self._stop_task(sid)
        for sid in sorted(wanted - set(self._tasks)):
            self._tasks[sid] = asyncio.create_task(
                self._run_source(sid), name=f"council-hub-social-source-{sid}"
            )

    async def _stop_task(self, sid: int) -> None:
        task = self._tasks.pop(sid, None)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client = self._clients.pop(sid, None)
        if client is not None:
            await _close(client.source)

    async def _stop_tasks(self) -> None:
        for sid in list(self._tasks):
            await self._stop_task(sid)
        for sid in list(self._clients):
            await _close(self._clients.pop(sid).source)

    async def _run_source(self, sid: int) -> None:
        """Poll one source whenever it is due, while this process holds the lease."""
        troubles = 0
        while self.leadership.held:
            try:
                async with self._sessionmaker() as session:
                    source = await session.get(SocialSource, sid)
                    due = source.next_poll_at if source is not None else None
                if source is None:
                    return
                wait = (due - utcnow()).total_seconds() if due is not None else 0.0
                if wait > 0:
                    # In steps, so new credentials (which make it due now) are noticed.
                    await asyncio.sleep(min(wait, self.leadership.renew_every_s))
                    continue
                report = await self.poll_source(sid, fence=True)
                troubles = 0
                if report is None or report.stopped:
                    return
            except LostLease:
                logger.info("the polling lease went to another process; source %s waits", sid)
                self.leadership.held = False
                return
            except Exception:
                # A bug or the database down: never raised into the meeting; back off.
                troubles += 1
                logger.exception("polling source %s failed; backing off", sid)
                await asyncio.sleep(self.poll_s + self._backoff(troubles))

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
            await _close(self._clients.pop(sid).source)
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
            gone = await _gone(client, due)
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


async def _gone(client: MastodonSource | BlueskySource, due: Sequence[Recheck]) -> list[Recheck]:
    if isinstance(client, BlueskySource):
        exists = await client.posts_exist([d.uri for d in due])
        return [d for d in due if not exists.get(d.uri, True)]
    return [d for d in due if not await client.status_exists(d.external_id)]


def _with(report: PollReport, **changes: object) -> PollReport:
    from dataclasses import replace

    return replace(report, **changes)  # type: ignore[arg-type]


async def _close(source: Source) -> None:
    try:
        await source.aclose()
    except Exception:
        logger.exception("closing a social source failed")

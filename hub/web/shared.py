"""Answers shared by every visitor, rendered once per (what, meeting, last seq, language).

The resident page a first-time visitor gets and the public snapshot are the same for everyone
until the meeting's log moves on, so the thousands who open the page as the meeting starts should
cost one render, not thousands (issue 14). Each answer is kept here with the ``last_seq`` it was
rendered at and served while no later seq is known:

- **Which seq is current.** If this process has the meeting's live channel open (anyone watching
  it here), the channel's last delivered seq: no query at all. Otherwise one indexed read of
  ``meetings.last_seq``, shared by every request that arrives while the previous read is in
  flight (they wait for the next read, which starts after they arrived: never an answer older than
  the request). Another process's events reach this one's channel through the broker a moment
  after their commit; a page served in that moment is at an older seq, and its socket (opened
  with ``after=last_seq``) replays what it missed, so nobody skips an event: what a resident
  sees is never older than what their socket then brings them to.
- **What else the answer depends on.** The council's settings (policy, hashtags, licence) and
  the participation window (it opens and closes by the clock) change without an event: an
  answer is re-rendered at least every ``FRESH_S`` seconds, so those show within that.
- **One render at a time.** Requests that miss while a render of the same key is in flight wait
  for it and take it if it reached the seq they saw; only otherwise do they render themselves.
  When only the clock made an answer old (``FRESH_S``), it is served while one request's
  render of the next runs in the background: nobody waits for it.

Each answer carries a strong ``ETag`` (a hash of its bytes): a client sending it back in
``If-None-Match`` gets a 304 while the answer is current. ``Cache-Control: public, max-age=5``
lets a CDN or the browser keep it a few seconds (the socket brings the page forward);
per-visitor answers (a resident with a cookie, a form token) never come from here.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import Scope

from hub.i18n import LANG_COOKIE, LANGUAGES
from hub.models import Meeting
from hub.web.caching import etag_of, if_none_match_matches
from hub.web.participants import COOKIE as PARTICIPANT_COOKIE

log = logging.getLogger(__name__)

# The paths fast_answer serves (as the routes name them, hub/web/routes.py).
SNAPSHOT_PATH = re.compile(r"/api/meetings/([0-9]{1,10})")
PAGE_PATH = re.compile(r"/meetings/([0-9]{1,10})")

# Re-render at least this often (council settings, the participation window: see above); an
# answer older than that is still served while its replacement renders in the background, but
# never one older than STALE_S (a refresh that keeps failing makes requests render again).
FRESH_S = 5.0
STALE_S = 30.0
# How long a CDN or a browser may keep a shared answer without asking again.
MAX_AGE_S = 5
# Answers kept per process (meetings x languages x kinds); the oldest used go first.
MAX_ENTRIES = 512


@dataclass(frozen=True)
class Shared:
    seq: int
    made: float  # time.monotonic() of the render
    body: bytes
    media_type: str
    etag: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # For an answer each visitor gets their own copy of (the first visit's page): makes that
    # copy from the entry and the settings. None: the entry is the answer, public.
    personal: Callable[[Shared, Any], Response] | None = None

    @classmethod
    def of(
        cls,
        seq: int,
        body: bytes,
        media_type: str,
        headers: dict[str, str],
        personal: Callable[[Shared, Any], Response] | None = None,
    ) -> Shared:
        return cls(seq, time.monotonic(), body, media_type, etag_of(body), headers, personal)

    def answer(self, if_none_match: str, settings: Any) -> Response:
        if self.personal is not None:
            return self.personal(self, settings)
        headers = {
            **self.headers,
            "etag": self.etag,
            "cache-control": f"public, max-age={MAX_AGE_S}",
        }
        if if_none_match_matches(if_none_match, self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)

    def response(self, request: Request) -> Response:
        return self.answer(request.headers.get("if-none-match", ""), request.app.state.settings)


Render = Callable[[], Awaitable[Shared | None]]


class SeqReads:
    """``meetings.last_seq`` read once for every request waiting at the time (see above)."""

    def __init__(self) -> None:
        self._running: dict[int, asyncio.Future[int | None]] = {}
        self._next: dict[int, asyncio.Future[int | None]] = {}

    async def read(self, sessionmaker: Any, meeting_id: int) -> int | None:
        waiting = self._next.get(meeting_id)
        if waiting is None:
            waiting = asyncio.get_running_loop().create_future()
            self._next[meeting_id] = waiting
            if meeting_id not in self._running:
                self._start(sessionmaker, meeting_id)
        return await asyncio.shield(waiting)

    def _start(self, sessionmaker: Any, meeting_id: int) -> None:
        future = self._next.pop(meeting_id)
        self._running[meeting_id] = future
        task = asyncio.create_task(self._read(sessionmaker, meeting_id, future))
        task.add_done_callback(lambda _: self._done(sessionmaker, meeting_id))

    async def _read(self, sessionmaker: Any, meeting_id: int, out: asyncio.Future[Any]) -> None:
        try:
            async with sessionmaker() as session:
                seq = await session.scalar(select(Meeting.last_seq).where(Meeting.id == meeting_id))
            out.set_result(seq)
        except BaseException as exc:
            out.set_exception(exc)
            out.exception()  # retrieved here too: a waiter may have gone away

    def _done(self, sessionmaker: Any, meeting_id: int) -> None:
        del self._running[meeting_id]
        if meeting_id in self._next:  # arrived during that read: one more, for all of them
            self._start(sessionmaker, meeting_id)


class SharedAnswers:
    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, Shared] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Future[Shared | None]] = {}
        self.seqs = SeqReads()
        self.renders = 0  # how many answers were rendered (tests and the benchmark read it)
        self._refreshing: set[asyncio.Task[Shared | None]] = set()

    async def current_seq(self, services: Any, meeting_id: int) -> int | None:
        """The meeting's latest seq as this process knows it; None if there is no meeting."""
        channel = services.streams.channels.get(meeting_id)
        known = None if channel is None else channel.known_seq
        if known is not None:
            return int(known)
        return await self.seqs.read(services.sessionmaker, meeting_id)

    def _fresh(self, entry: Shared | None, seq: int) -> bool:
        return entry is not None and entry.seq >= seq and time.monotonic() - entry.made < FRESH_S

    async def get(self, key: Hashable, seq: int, render: Render) -> Shared | None:
        entry = self.entries.get(key)
        if entry is not None and entry.seq >= seq:
            age = time.monotonic() - entry.made
            if age < STALE_S:
                self.entries.move_to_end(key)
                if age >= FRESH_S and key not in self._inflight:
                    # Only the clock made it old (council settings, the window): this answer
                    # now, the next from a render in the background, so nobody waits for it.
                    self._refresh(key, render)
                return entry
        inflight = self._inflight.get(key)
        if inflight is not None:
            entry = await asyncio.shield(inflight)
            if entry is not None and entry.seq >= seq:
                return entry
        return await self._render(key, render, self._start(key))

    def _start(self, key: Hashable) -> asyncio.Future[Shared | None]:
        future: asyncio.Future[Shared | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        return future

    def _refresh(self, key: Hashable, render: Render) -> None:
        task = asyncio.create_task(self._render(key, render, self._start(key)))
        self._refreshing.add(task)
        task.add_done_callback(self._refreshed)

    def _refreshed(self, task: asyncio.Task[Shared | None]) -> None:
        self._refreshing.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("refreshing a shared answer failed", exc_info=exc)

    async def _render(
        self, key: Hashable, render: Render, future: asyncio.Future[Shared | None]
    ) -> Shared | None:
        try:
            entry = await render()
        except BaseException:
            future.set_result(None)
            raise
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]
        self.renders += 1
        if entry is not None:
            old = self.entries.get(key)
            if old is None or old.seq <= entry.seq:
                self.entries[key] = entry
                self.entries.move_to_end(key)
                while len(self.entries) > MAX_ENTRIES:
                    self.entries.popitem(last=False)
        future.set_result(entry)
        return entry

    async def fast_answer(self, scope: Scope, services: Any, settings: Any) -> Response | None:
        """The answer to a plain ``GET`` of a snapshot or a first visit's page, straight from
        an entry that is still current, before any middleware or routing (hub/web/fast.py);
        None when the app must answer (no such entry, a newer seq, a query string or a
        participant cookie; the session middleware only writes a cookie it changed, and these
        routes change none): the route then renders and fills the entry."""
        if scope["query_string"]:
            return None
        path: str = scope["path"]
        cookie = ""
        if_none_match = ""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        if (m := SNAPSHOT_PATH.fullmatch(path)) is not None:
            key: Hashable = ("snapshot", int(m[1]))
        elif (m := PAGE_PATH.fullmatch(path)) is not None:
            if PARTICIPANT_COOKIE in cookie:
                return None
            chosen = cookie_parser(cookie).get(LANG_COOKIE, "") if cookie else ""
            key = ("page", int(m[1]), chosen if chosen in LANGUAGES else "")
        else:
            return None
        entry = self.entries.get(key)
        if entry is None:
            return None
        seq = await self.current_seq(services, key[1])  # type: ignore[index]
        if seq is None or not self._fresh(entry, seq):
            return None
        return entry.answer(if_none_match, settings)


def shared_answers(request: Request) -> SharedAnswers:
    found: SharedAnswers = request.app.state.shared
    return found

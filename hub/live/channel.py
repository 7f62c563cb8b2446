"""One meeting's news in this process, in seq order, with nothing lost.

- ``last_seq``: the highest seq delivered here. Broker messages arrive possibly out of order
  (two processes publish after their commits) or not at all (Redis drops pub/sub messages while
  disconnected). A message that is not ``last_seq + 1`` parks in ``pending`` and triggers one
  read of the log, which holds every seq up to it (seq order is commit order, hub/events/log.py).
  Each heartbeat also compares with the log, so a lost last message is healed within seconds.
- ``ring``: the last RING_SIZE events, contiguous by seq, each with its frame encoded once. A
  client resuming inside the ring is served from memory (hub/live/streams.py).
- delivery: each event in order goes to the channel's ``Fanout`` (hub/live/fanout.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections import deque
from typing import TYPE_CHECKING

from hub.broker import Subscription
from hub.events import log as event_log
from hub.events import wire
from hub.events.log import LoggedEvent
from hub.events.redaction import redact_envelope
from hub.events.schema import Audience
from hub.live.fanout import Connection, Fanout, Viewer
from hub.live.frames import HEARTBEAT, Frame

if TYPE_CHECKING:
    from hub.live.streams import LiveStreams

logger = logging.getLogger(__name__)

# ~1,000 events covers a whole busy meeting's agenda changes and a few minutes of comments, so a
# laptop waking from sleep resumes from memory. At ~300 B a frame that is ~0.6 MiB per meeting.
RING_SIZE = 1024
REPLAY_PAGE = 1000
# Heartbeats keep proxies from closing idle sockets (nginx default: 60 s) and let the client
# notice a dead connection; jitter spreads the work of many meetings.
HEARTBEAT_S = 20.0
HEARTBEAT_JITTER = 0.25
# A channel with no sockets stays subscribed this long, so a page reload does not resubscribe.
IDLE_CLOSE_S = 30.0
# A parked message whose gap the log does not fill (should not happen) retries after this.
RESYNC_RETRY_S = 0.5

# seq, audience, target, frame, subject (the contribution it carries, for redaction)
Entry = tuple[int, Audience, str | None, Frame, int | None]


class MeetingChannel:
    def __init__(self, streams: LiveStreams, meeting_id: int) -> None:
        self.streams = streams
        self.meeting_id = meeting_id
        self.fanout = Fanout(streams.coalesce_s, self._remember)
        self.last_seq = 0
        self.ring: deque[Entry] = deque(maxlen=RING_SIZE)
        self.pending: dict[int, LoggedEvent] = {}
        self.subscription: Subscription | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._ready = False
        self._heartbeat: asyncio.Task[None] | None = None
        self._idle_handle: asyncio.TimerHandle | None = None
        self.closed = False
        # False when the log has no event of this meeting: there is no such meeting.
        self.exists = True

    @property
    def known_seq(self) -> int | None:
        """The highest seq delivered here once the channel is open, else None: every seq up to
        it is committed, so a page rendered at it or later is never behind this process's
        sockets (hub/web/shared.py)."""
        return self.last_seq if self._ready and not self.closed else None

    # ---- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        # Subscribe before reading the log: anything committed after the read then arrives as a
        # message (and parks in `pending` until we are ready), so nothing falls between the two.
        self.subscription = await self.streams.broker.subscribe(
            wire.channel_name(self.meeting_id), self.on_message, self.request_sync
        )
        async with self.streams.sessionmaker() as session:
            b = await event_log.bounds(session, self.meeting_id)
            if b is None:
                self.exists = False
                return
            last = b.last_seq
            first = max(last - RING_SIZE, b.first_seq - 1)
            # Up to `last` only: anything committed since arrives as a message (parked until
            # ready), and the ring must stay contiguous and free of repeats.
            recent = await event_log.replay(
                session,
                self.meeting_id,
                first,
                audiences=event_log.ALL,
                limit=RING_SIZE,
                up_to=last,
            )
        self._remember(recent)
        self.last_seq = last
        self._ready = True
        self._drain_pending()
        if self.pending:
            self.request_sync()
        self._heartbeat = asyncio.create_task(
            self._heartbeat_loop(), name=f"heartbeat-{self.meeting_id}"
        )

    async def close(self) -> None:
        self.closed = True
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        self.fanout.cancel()
        for task in (self._heartbeat, self._sync_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.subscription is not None:
            await self.subscription.unsubscribe()

    # ---- receiving -------------------------------------------------------------------------

    def on_message(self, message: bytes) -> None:
        try:
            events = wire.decode(self.meeting_id, message)
        except (ValueError, KeyError, IndexError):
            logger.warning("dropping malformed broker message for meeting %s", self.meeting_id)
            return
        for ev in events:
            self.offer(ev)

    def offer(self, ev: LoggedEvent) -> None:
        if ev.seq <= self.last_seq:
            return  # duplicate: already delivered (from the log or another message)
        if self._ready and self._sync_task is None and ev.seq == self.last_seq + 1:
            self._deliver(ev)
            if self.pending:
                self._drain_pending()
            return
        self.pending[ev.seq] = ev
        if self._ready:
            self.request_sync()

    def request_sync(self) -> None:
        if self._sync_task is None and not self.closed:
            self._sync_task = asyncio.create_task(self._sync(), name=f"sync-{self.meeting_id}")

    async def sync_now(self) -> None:
        self.request_sync()
        task = self._sync_task
        if task is not None:
            await asyncio.shield(task)

    async def _sync(self) -> None:
        try:
            while True:
                async with self.streams.sessionmaker() as session:
                    events = await event_log.replay(
                        session,
                        self.meeting_id,
                        self.last_seq,
                        audiences=event_log.ALL,
                        limit=REPLAY_PAGE,
                    )
                for ev in events:
                    if ev.seq == self.last_seq + 1:
                        self._deliver(ev)
                if len(events) < REPLAY_PAGE:
                    break
            self._drain_pending()
        except Exception:
            logger.exception("could not read the log of meeting %s", self.meeting_id)
            await asyncio.sleep(RESYNC_RETRY_S)
        finally:
            self._sync_task = None
        if self.pending and not self.closed:
            asyncio.get_running_loop().call_later(RESYNC_RETRY_S, self.request_sync)

    def _drain_pending(self) -> None:
        for seq in [s for s in self.pending if s <= self.last_seq]:
            del self.pending[seq]
        while (ev := self.pending.pop(self.last_seq + 1, None)) is not None:
            self._deliver(ev)

    def _deliver(self, ev: LoggedEvent) -> None:
        self.last_seq = ev.seq
        if ev.redacts and ev.subject is not None:
            self._redact(ev.subject)
        self.fanout.deliver(ev)

    def _redact(self, subject: int) -> None:
        """Earlier events about a contribution were redacted in the log (a takedown, an
        erasure): so are their frames kept here, so no resume from memory serves its text."""
        for i, (seq, audience, target, frame, about) in enumerate(self.ring):
            if about == subject:
                redacted = Frame(redact_envelope(frame.text))
                self.ring[i] = (seq, audience, target, redacted, about)
        self.fanout.redact(subject)

    def _remember(self, events: list[LoggedEvent]) -> None:
        """Keep events in the ring as they go out (each frame encoded once, here)."""
        for ev in events:
            self.ring.append((ev.seq, ev.audience, ev.target, Frame(ev.envelope), ev.subject))

    # ---- heartbeats and idling ---------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(
                self.streams.heartbeat_s
                * random.uniform(1 - HEARTBEAT_JITTER, 1 + HEARTBEAT_JITTER)
            )
            self.fanout.send_all(HEARTBEAT)
            try:
                async with self.streams.sessionmaker() as session:
                    b = await event_log.bounds(session, self.meeting_id)
            except Exception:
                logger.exception("heartbeat could not read meeting %s", self.meeting_id)
                continue
            if b is not None and b.last_seq > self.last_seq:
                self.request_sync()  # a broker message was lost: heal from the log

    def connection_count(self) -> int:
        return len(self.fanout)

    # ---- sockets -----------------------------------------------------------------------------

    def join(self, conn: Connection, after: int) -> None:
        """Add a socket that has been sent everything up to the ring's end."""
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None
        self.fanout.add(conn, after)
        conn.channel = self

    def remove(self, conn: Connection) -> None:
        self.fanout.remove(conn)
        if not len(self.fanout) and not self.closed:
            loop = asyncio.get_running_loop()
            self._idle_handle = loop.call_later(IDLE_CLOSE_S, self.streams.close_idle, self)

    def frames_after(self, after: int, viewer: Viewer) -> list[Frame] | None:
        """Frames with seq > after from memory, or None if the ring does not reach back."""
        if not self.ring:
            return [] if after >= self.last_seq else None
        first = self.ring[0][0]
        if after < first - 1:
            return None
        start = max(after + 1 - first, 0)
        ring = itertools.islice(self.ring, start, None)
        return [f for _, a, t, f, _s in ring if viewer.sees(a, t)]

"""Live delivery in one app process: one broker subscription per followed meeting, fan-out to
the local sockets, resume from the log.

Per meeting the process keeps a ``MeetingChannel``:

- ``last_seq``: the highest seq delivered here. Broker messages arrive possibly out of order
  (two processes publish after their commits) or not at all (Redis drops pub/sub messages while
  disconnected). A message that is not ``last_seq + 1`` parks in ``pending`` and triggers one
  read of the log, which holds every seq up to it (seq order is commit order, hub/events/log.py).
  Each heartbeat also compares with the log, so a lost last message is healed within seconds.
- ``ring``: the last RING_SIZE events, contiguous by seq, each with its frame encoded once. A
  client resuming inside the ring is served from memory; older ones read the log once per
  distinct position (reads are shared between concurrent resumers).
- fan-out: each frame goes to every socket of its audience with a non-awaiting write
  (hub/serving.py). Staff sockets get public and staff events; public sockets public ones only.

Every way a resume can fail has a named answer, sent as ``{"type": "reset", "reason": ...}``
before the socket is closed: ``future`` (after > last seq), ``pruned`` (after is older than the
log keeps), ``behind`` (more than MAX_REPLAY events to catch up: reloading the snapshot is cheaper).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.broker import Broker, Subscription
from hub.events import log as event_log
from hub.events.log import LoggedEvent
from hub.events.schema import Audience
from hub.serving import Frame, FrameSink

logger = logging.getLogger(__name__)

# ~1,000 events covers a whole busy meeting's agenda changes and a few minutes of comments, so a
# laptop waking from sleep resumes from memory. At ~300 B a frame that is ~0.6 MiB per meeting.
RING_SIZE = 1024
# Beyond this many missed events the client reloads the snapshot instead (one GET is cheaper).
MAX_REPLAY = 5000
REPLAY_PAGE = 1000
# Heartbeats keep proxies from closing idle sockets (nginx default: 60 s) and let the client
# notice a dead connection; jitter spreads the work of many meetings.
HEARTBEAT_S = 20.0
HEARTBEAT_JITTER = 0.25
# A channel with no sockets stays subscribed this long, so a page reload does not resubscribe.
IDLE_CLOSE_S = 30.0
# A parked message whose gap the log does not fill (should not happen) retries after this.
RESYNC_RETRY_S = 0.5


def channel_name(meeting_id: int) -> str:
    return f"council-hub:meeting:{meeting_id}"


@dataclass(frozen=True)
class Viewer:
    """Who a socket is for: which events of the log it may see."""

    audience: Audience  # PUBLIC (a resident, the projector) or STAFF
    participant: str | None = None  # a resident's pseudonymous id: also their own events

    def sees(self, audience: Audience, target: str | None) -> bool:
        if audience is Audience.PUBLIC:
            return True
        if audience is Audience.STAFF:
            return self.audience is Audience.STAFF
        return self.participant is not None and target == self.participant


HEARTBEAT = Frame('{"type":"heartbeat"}')
# Events arriving within this long of the last frame are sent together in the next one. 200 ms
# keeps a burst of 20 approvals a second at 5 frames a second per socket (25,000 frames a second
# at 5,000 sockets, under half a core) while an isolated event still goes out at once.
COALESCE_S = 0.2
# ...but no frame grows past this: a resync that delivers a thousand events at once goes out as
# several frames, none big enough to push a healthy socket over its byte budget.
MAX_FRAME_BYTES = 64 * 1024


def _chunks(events: list[LoggedEvent]) -> list[list[LoggedEvent]]:
    """Consecutive runs of events of at most MAX_FRAME_BYTES of envelopes each."""
    chunks: list[list[LoggedEvent]] = [[]]
    size = 0
    for ev in events:
        if chunks[-1] and size + len(ev.envelope) > MAX_FRAME_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(ev)
        size += len(ev.envelope)
    return chunks


def _frame(envelopes: list[str]) -> Frame | None:
    """One event as itself; several as a JSON array of envelopes; none as nothing."""
    if not envelopes:
        return None
    if len(envelopes) == 1:
        return Frame(envelopes[0])
    return Frame("[" + ",".join(envelopes) + "]")


def reset_frame(reason: str) -> Frame:
    return Frame(json.dumps({"type": "reset", "reason": reason}))


@dataclass(eq=False)
class Connection:
    """One live socket following one meeting."""

    meeting_id: int
    viewer: Viewer
    sink: FrameSink
    channel: MeetingChannel | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Reset:
    reason: str  # "future", "pruned" or "behind"


class MeetingChannel:
    def __init__(self, streams: LiveStreams, meeting_id: int) -> None:
        self.streams = streams
        self.meeting_id = meeting_id
        self.public: set[Connection] = set()
        self.staff: set[Connection] = set()
        # Residents' sockets by participant id (they are in `public` too), for their own events.
        self.participants: dict[str, set[Connection]] = {}
        self.last_seq = 0
        self.ring: deque[Entry] = deque(maxlen=RING_SIZE)
        self.pending: dict[int, LoggedEvent] = {}
        # Accepted events waiting for the next flush (see _flush), and when the last one went.
        self._batch: list[LoggedEvent] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        # Sockets that joined while a batch was waiting, with the seq they had: at the flush
        # they get only the batch's events after that seq (nothing twice).
        self._late: dict[Connection, int] = {}
        self.subscription: Subscription | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._ready = False
        self._heartbeat: asyncio.Task[None] | None = None
        self._idle_handle: asyncio.TimerHandle | None = None
        self.closed = False

    # ---- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        # Subscribe before reading the log: anything committed after the read then arrives as a
        # message (and parks in `pending` until we are ready), so nothing falls between the two.
        self.subscription = await self.streams.broker.subscribe(
            channel_name(self.meeting_id), self.on_message, self.request_sync
        )
        async with self.streams.sessionmaker() as session:
            b = await event_log.bounds(session, self.meeting_id)
            last = 0 if b is None else b.last_seq
            first = max(last - RING_SIZE, 0 if b is None else b.first_seq - 1)
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
        for ev in recent:
            self.ring.append((ev.seq, ev.audience, ev.target, Frame(ev.envelope)))
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
        if self._flush_handle is not None:
            self._flush_handle.cancel()
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
            events = event_log.from_wire_many(self.meeting_id, message)
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
        """Accept the next event in seq order; it goes out with the next flush."""
        self.last_seq = ev.seq
        self._batch.append(ev)
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            delay = max(0.0, self._last_flush + self.streams.coalesce_s - loop.time())
            # Even with no delay, flush on the next loop turn: the events of one action arrive
            # together (one commit, several messages) and go out as one frame.
            self._flush_handle = loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        """Send what accumulated: one frame per audience, never more often than coalesce_s.

        A quiet meeting's events go out at once; a burst (20 approvals a second) goes out as
        one frame per window instead of one per event, which keeps fan-out under one core's
        ceiling. A frame holding several events is a JSON array of envelopes, in seq order.
        """
        self._flush_handle = None
        self._last_flush = asyncio.get_running_loop().time()
        batch, self._batch = self._batch, []
        late, self._late = self._late, {}
        for events in _chunks(batch):
            if events:
                self._send(events, late)

    def _send(self, events: list[LoggedEvent], late: dict[Connection, int]) -> None:
        for ev in events:
            self.ring.append((ev.seq, ev.audience, ev.target, Frame(ev.envelope)))
        public = [ev.envelope for ev in events if ev.audience is Audience.PUBLIC]
        staff = [ev.envelope for ev in events if ev.audience is not Audience.PARTICIPANT]
        own: dict[str, list[LoggedEvent]] = {}
        for ev in events:
            if ev.audience is Audience.PARTICIPANT and ev.target in self.participants:
                own.setdefault(ev.target, []).append(ev)
        # Residents with their own events in this flush get their own frame (public events and
        # theirs, merged in seq order); everyone else shares one. Sinks never await and never
        # detach themselves (the route does, when its receive loop ends), so iterating the
        # live sets here is safe.
        special = {
            target: _frame(
                [ev.envelope for ev in events if ev.audience is Audience.PUBLIC or ev in mine]
            )
            for target, mine in own.items()
        }
        public_frame = _frame(public)
        if special or late:
            for conn in self.public:
                if conn in late:
                    continue
                frame = special.get(conn.viewer.participant or "", public_frame)
                if frame is not None:
                    conn.sink.send(frame)
        elif public_frame is not None:
            for conn in self.public:
                conn.sink.send(public_frame)
        staff_frame = _frame(staff)
        if staff_frame is not None:
            for conn in self.staff:
                if conn not in late:
                    conn.sink.send(staff_frame)
        for conn, after in late.items():
            frame = _frame(
                [
                    ev.envelope
                    for ev in events
                    if ev.seq > after and conn.viewer.sees(ev.audience, ev.target)
                ]
            )
            if frame is not None:
                conn.sink.send(frame)

    # ---- heartbeats and idling ---------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(
                self.streams.heartbeat_s
                * random.uniform(1 - HEARTBEAT_JITTER, 1 + HEARTBEAT_JITTER)
            )
            for conn in itertools.chain(self.public, self.staff):
                conn.sink.send(HEARTBEAT)
            try:
                async with self.streams.sessionmaker() as session:
                    b = await event_log.bounds(session, self.meeting_id)
            except Exception:
                logger.exception("heartbeat could not read meeting %s", self.meeting_id)
                continue
            if b is not None and b.last_seq > self.last_seq:
                self.request_sync()  # a broker message was lost: heal from the log

    def connection_count(self) -> int:
        return len(self.public) + len(self.staff)

    def add(self, conn: Connection) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None
        viewer = conn.viewer
        (self.staff if viewer.audience is Audience.STAFF else self.public).add(conn)
        if viewer.participant is not None:
            self.participants.setdefault(viewer.participant, set()).add(conn)
        conn.channel = self

    def join(self, conn: Connection, after: int) -> None:
        """Add a socket that has been sent everything up to the ring's end."""
        self.add(conn)
        if self._batch:
            self._late[conn] = after

    def remove(self, conn: Connection) -> None:
        self._late.pop(conn, None)
        viewer = conn.viewer
        (self.staff if viewer.audience is Audience.STAFF else self.public).discard(conn)
        if viewer.participant is not None:
            mine = self.participants.get(viewer.participant)
            if mine is not None:
                mine.discard(conn)
                if not mine:
                    del self.participants[viewer.participant]
        if not self.public and not self.staff and not self.closed:
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
        return [f for _, a, t, f in itertools.islice(self.ring, start, None) if viewer.sees(a, t)]


SessionFactory = async_sessionmaker[AsyncSession]
Entry = tuple[int, Audience, str | None, Frame]  # seq, audience, target, frame
Replay = list[Entry]


class LiveStreams:
    """Every meeting channel of this process; owned by the app's lifespan."""

    def __init__(
        self,
        sessionmaker: SessionFactory,
        broker: Broker,
        heartbeat_s: float = HEARTBEAT_S,
        coalesce_s: float = COALESCE_S,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.broker = broker
        self.heartbeat_s = heartbeat_s
        self.coalesce_s = coalesce_s
        self.channels: dict[int, MeetingChannel] = {}
        self._opening: dict[int, asyncio.Future[MeetingChannel]] = {}
        self._reads: dict[tuple[int, int, int], asyncio.Future[Replay | None]] = {}
        self._idle_tasks: set[asyncio.Task[None]] = set()

    async def channel(self, meeting_id: int) -> MeetingChannel:
        existing = self.channels.get(meeting_id)
        if existing is not None and not existing.closed:
            return existing
        opening = self._opening.get(meeting_id)
        if opening is not None:
            return await asyncio.shield(opening)
        future: asyncio.Future[MeetingChannel] = asyncio.get_running_loop().create_future()
        self._opening[meeting_id] = future
        try:
            channel = MeetingChannel(self, meeting_id)
            await channel.open()
            self.channels[meeting_id] = channel
            future.set_result(channel)
            return channel
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._opening[meeting_id]

    async def attach(
        self, meeting_id: int, sink: FrameSink, viewer: Viewer, after: int
    ) -> Connection | Reset:
        """Send the sink every event after ``after`` its viewer may see, then keep it live."""
        channel = await self.channel(meeting_id)
        cursor = after
        while True:
            if cursor > channel.last_seq:
                # The client may have seen an event this process has not yet: ask the log.
                async with self.sessionmaker() as session:
                    b = await event_log.bounds(session, meeting_id)
                if b is None or cursor > b.last_seq:
                    return Reset("future")
                await channel.sync_now()
                if cursor > channel.last_seq:
                    return Reset("future")
                continue
            if channel.last_seq - cursor > MAX_REPLAY:
                return Reset("behind")
            frames = channel.frames_after(cursor, viewer)
            if frames is not None:
                # No await between reading the ring and joining the channel: nothing can slip
                # between the replay and the live events.
                for frame in frames:
                    sink.send(frame)
                conn = Connection(meeting_id, viewer, sink)
                channel.join(conn, cursor)
                return conn
            up_to = channel.ring[0][0] - 1 if channel.ring else channel.last_seq
            older = await self._read_shared(meeting_id, cursor, up_to)
            if older is None:
                return Reset("pruned")
            for _, a, t, frame in older:
                if viewer.sees(a, t):
                    sink.send(frame)
            if sink.closed:
                return Reset("behind")
            cursor = up_to

    async def _read_shared(self, meeting_id: int, after: int, up_to: int) -> Replay | None:
        """Events (after, up_to] from the log, one read per distinct range however many
        sockets ask at once (a resume storm after a network blip)."""
        key = (meeting_id, after, up_to)
        pending = self._reads.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._read(meeting_id, after, up_to))
            self._reads[key] = pending
            pending.add_done_callback(lambda _f: self._reads.pop(key, None))
        result = await asyncio.shield(pending)
        return result

    async def _read(self, meeting_id: int, after: int, up_to: int) -> Replay | None:
        async with self.sessionmaker() as session:
            b = await event_log.bounds(session, meeting_id)
            if b is None or after < b.first_seq - 1:
                return None
            events = await event_log.replay(
                session, meeting_id, after, audiences=event_log.ALL, limit=MAX_REPLAY, up_to=up_to
            )
        return [(ev.seq, ev.audience, ev.target, Frame(ev.envelope)) for ev in events]

    def detach(self, conn: Connection) -> None:
        if conn.channel is not None:
            conn.channel.remove(conn)
            conn.channel = None

    def close_idle(self, channel: MeetingChannel) -> None:
        if channel.connection_count() == 0 and self.channels.get(channel.meeting_id) is channel:
            del self.channels[channel.meeting_id]
            task = asyncio.create_task(channel.close())
            self._idle_tasks.add(task)
            task.add_done_callback(self._idle_tasks.discard)

    async def close(self) -> None:
        channels = list(self.channels.values())
        self.channels.clear()
        for channel in channels:
            await channel.close()
        for task in list(self._idle_tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

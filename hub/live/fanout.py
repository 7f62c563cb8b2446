"""Who follows one meeting in this process, and sending them what arrived as few frames as
possible.

Each frame goes to every socket of its audience with a non-awaiting write (hub/live/
uvicorn_seam.py): staff sockets get public and staff events, public sockets public ones, and a
resident's socket also their own participant events. Events that arrive together (one commit)
or within ``coalesce_s`` of the last frame go out as one frame, a JSON array of envelopes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hub.events.log import LoggedEvent
from hub.events.redaction import redact_envelope
from hub.events.schema import Audience
from hub.live.frames import Frame, FrameSink

if TYPE_CHECKING:
    from hub.live.channel import MeetingChannel

# Events arriving within this long of the last frame are sent together in the next one. 200 ms
# keeps a burst of 20 approvals a second at 5 frames a second per socket (25,000 frames a second
# at 5,000 sockets, under half a core) while an isolated event still goes out at once.
COALESCE_S = 0.2
# ...but no frame grows past this: a resync that delivers a thousand events at once goes out as
# several frames, none big enough to push a healthy socket over its byte budget.
MAX_FRAME_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
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


@dataclass(eq=False, slots=True)
class Connection:
    """One live socket following one meeting."""

    meeting_id: int
    viewer: Viewer
    sink: FrameSink
    channel: MeetingChannel | None = field(default=None, repr=False)


def chunks(events: list[LoggedEvent]) -> list[list[LoggedEvent]]:
    """Consecutive runs of events of at most MAX_FRAME_BYTES of envelopes each."""
    runs: list[list[LoggedEvent]] = [[]]
    size = 0
    for ev in events:
        if runs[-1] and size + len(ev.envelope) > MAX_FRAME_BYTES:
            runs.append([])
            size = 0
        runs[-1].append(ev)
        size += len(ev.envelope)
    return runs


def frame_of(envelopes: list[str]) -> Frame | None:
    """One event as itself; several as a JSON array of envelopes; none as nothing."""
    if not envelopes:
        return None
    if len(envelopes) == 1:
        return Frame(envelopes[0])
    return Frame("[" + ",".join(envelopes) + "]")


class Fanout:
    """One meeting's sockets in this process and the batch waiting for the next frame."""

    def __init__(self, coalesce_s: float, on_sent: Callable[[list[LoggedEvent]], None]) -> None:
        self.coalesce_s = coalesce_s
        # Called with each run of events as it goes out (the channel's ring keeps them).
        self._on_sent = on_sent
        self.public: set[Connection] = set()
        self.staff: set[Connection] = set()
        # Residents' sockets by participant id (they are in `public` too), for their own events.
        self.participants: dict[str, set[Connection]] = {}
        # Accepted events waiting for the next flush (see flush), and when the last one went.
        self._batch: list[LoggedEvent] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        # Sockets that joined while a batch was waiting, with the seq they had: at the flush
        # they get only the batch's events after that seq (nothing twice).
        self._late: dict[Connection, int] = {}

    def __len__(self) -> int:
        return len(self.public) + len(self.staff)

    def everyone(self) -> itertools.chain[Connection]:
        return itertools.chain(self.public, self.staff)

    def add(self, conn: Connection, after: int) -> None:
        """Add a socket that has been sent every event up to ``after``."""
        viewer = conn.viewer
        (self.staff if viewer.audience is Audience.STAFF else self.public).add(conn)
        if viewer.participant is not None:
            self.participants.setdefault(viewer.participant, set()).add(conn)
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

    def deliver(self, ev: LoggedEvent) -> None:
        """Accept the next event in seq order; it goes out with the next flush."""
        self._batch.append(ev)
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            delay = max(0.0, self._last_flush + self.coalesce_s - loop.time())
            # Even with no delay, flush on the next loop turn: the events of one action arrive
            # together (one commit, several messages) and go out as one frame.
            self._flush_handle = loop.call_later(delay, self.flush)

    def redact(self, subject: int) -> None:
        """Events about ``subject`` still waiting for the next frame go out redacted."""
        self._batch = [
            dataclasses.replace(ev, envelope=redact_envelope(ev.envelope))
            if ev.subject == subject
            else ev
            for ev in self._batch
        ]

    def cancel(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()

    def flush(self) -> None:
        """Send what accumulated: one frame per audience, never more often than coalesce_s.

        A quiet meeting's events go out at once; a burst (20 approvals a second) goes out as
        one frame per window instead of one per event, which keeps fan-out under one core's
        ceiling. A frame holding several events is a JSON array of envelopes, in seq order.
        """
        self._flush_handle = None
        self._last_flush = asyncio.get_running_loop().time()
        batch, self._batch = self._batch, []
        late, self._late = self._late, {}
        for events in chunks(batch):
            if events:
                self._on_sent(events)
                self._send(events, late)

    def _send(self, events: list[LoggedEvent], late: dict[Connection, int]) -> None:
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
            target: frame_of(
                [ev.envelope for ev in events if ev.audience is Audience.PUBLIC or ev in mine]
            )
            for target, mine in own.items()
        }
        public_frame = frame_of(public)
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
        staff_frame = frame_of(staff)
        if staff_frame is not None:
            for conn in self.staff:
                if conn not in late:
                    conn.sink.send(staff_frame)
        for conn, after in late.items():
            frame = frame_of(
                [
                    ev.envelope
                    for ev in events
                    if ev.seq > after and conn.viewer.sees(ev.audience, ev.target)
                ]
            )
            if frame is not None:
                conn.sink.send(frame)

    def send_all(self, frame: Frame) -> None:
        """One frame to every socket (heartbeats)."""
        for conn in self.everyone():
            conn.sink.send(frame)

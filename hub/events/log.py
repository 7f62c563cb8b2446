"""Append to and replay from a meeting's event log: storage only (the broker's format is
hub/events/wire.py, delivery is hub/live/).

Seqs are allocated by ``UPDATE meetings SET last_seq = last_seq + n ... RETURNING`` (n: the
events an action appends together, each given one of the n seqs in order): on
PostgreSQL that takes the meeting's row lock until commit, on SQLite the write transaction is
already exclusive (BEGIN IMMEDIATE, hub/db.py). So two actions on one meeting serialise, seqs are
gap-free, and seq order is commit order: when seq N is committed, every seq below it is too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.events.redaction import TAKEDOWN, redact_envelope
from hub.events.schema import EVENT_TYPES, Audience, Event
from hub.models import Meeting, MeetingEvent, iso, utcnow


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One committed (or about to be) entry of the log, as the stream handles it."""

    meeting_id: int
    seq: int
    audience: Audience
    envelope: str  # the JSON text clients receive
    target: str | None = None  # the participant, for Audience.PARTICIPANT
    subject: int | None = None  # the contribution it carries (Event.subject)
    # The event redacts its subject's earlier events (contribution.redacted): every process
    # redacts its ring on delivering it.
    redacts: bool = False


def encode_envelope(seq: int, event: Event, at: datetime) -> str:
    body = {"seq": seq, "type": event.type, "at": iso(at), "data": event.to_data()}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


async def append_many(
    session: AsyncSession, meeting_id: int, events: list[tuple[Event, str | None]]
) -> list[LoggedEvent]:
    """Append events (each with its participant target or None) in order: one UPDATE allocates
    all their seqs, one INSERT stores them, however many there are (a group of residents'
    submissions commits hundreds of events in one transaction)."""
    if not events:
        return []
    for event, target in events:
        if (event.audience is Audience.PARTICIPANT) != (target is not None):
            raise ValueError("participant events need a target, and only they have one")
    at = utcnow()
    # Core statements built once, on the session's connection: a group commit appends hundreds
    # of events, but the ORM's bulk-update path and a statement rebuilt (and its cache key
    # computed again) per call were fixed costs paid on every commit.
    conn = await session.connection()
    result = await conn.execute(_ALLOCATE, {"meeting_id": meeting_id, "count": len(events)})
    first = int(result.scalar_one()) - len(events) + 1
    logged: list[LoggedEvent] = []
    rows: list[dict[str, object]] = []
    for seq, (event, target) in enumerate(events, start=first):
        envelope = encode_envelope(seq, event, at)
        subject = event.subject()
        logged.append(
            LoggedEvent(
                meeting_id, seq, event.audience, envelope, target, subject, event.redacts_subject
            )
        )
        rows.append(
            {
                "meeting_id": meeting_id,
                "seq": seq,
                "type": event.type,
                "audience": event.audience.value,
                "target": target,
                "at": at,
                "envelope": envelope,
                "subject": subject,
            }
        )
    # Core, not the ORM's bulk insert: that splits rows whose keys differ (target or not) into
    # separate statements; this is one executemany.
    await conn.execute(_INSERT, rows)
    return logged


_MEETINGS = cast(Table, Meeting.__table__)
# Seqs for n events: the meeting's row is already locked (lock_meeting); the ORM's copy of
# last_seq is not refreshed (as with synchronize_session=False before).
_ALLOCATE = (
    update(_MEETINGS)
    .where(_MEETINGS.c.id == bindparam("meeting_id"))
    .values(last_seq=_MEETINGS.c.last_seq + bindparam("count"))
    .returning(_MEETINGS.c.last_seq)
)
_INSERT = insert(cast(Table, MeetingEvent.__table__))


@dataclass(frozen=True, slots=True)
class LogBounds:
    first_seq: int  # lowest seq still in the log
    last_seq: int  # highest seq committed


async def bounds(session: AsyncSession, meeting_id: int) -> LogBounds | None:
    row = (
        await session.execute(
            select(Meeting.first_seq, Meeting.last_seq).where(Meeting.id == meeting_id)
        )
    ).one_or_none()
    return None if row is None else LogBounds(int(row[0]), int(row[1]))


async def replay(
    session: AsyncSession,
    meeting_id: int,
    after: int,
    *,
    audiences: frozenset[Audience],
    limit: int,
    up_to: int | None = None,
    participant: str | None = None,
) -> list[LoggedEvent]:
    """Events with seq > after (and <= up_to), oldest first, for the given audiences; with
    ``participant``, also that participant's own events. ``ALL`` gives every event."""
    query = (
        select(
            MeetingEvent.seq,
            MeetingEvent.audience,
            MeetingEvent.envelope,
            MeetingEvent.target,
            MeetingEvent.subject,
            MeetingEvent.type,
        )
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.seq > after)
        .order_by(MeetingEvent.seq)
        .limit(limit)
    )
    if up_to is not None:
        query = query.where(MeetingEvent.seq <= up_to)
    if audiences != ALL:
        wanted: ColumnElement[bool] = MeetingEvent.audience.in_([a.value for a in audiences])
        if participant is not None:
            mine = (MeetingEvent.audience == Audience.PARTICIPANT.value) & (
                MeetingEvent.target == participant
            )
            wanted = wanted | mine
        query = query.where(wanted)
    rows = (await session.execute(query)).all()
    return [
        LoggedEvent(meeting_id, int(s), Audience(a), e, t, c, _redacts(kind))
        for s, a, e, t, c, kind in rows
    ]


def _redacts(kind: str) -> bool:
    cls = EVENT_TYPES.get(kind)
    return cls is not None and cls.redacts_subject


async def redact_subject(
    session: AsyncSession, meeting_id: int, subject: int, blanked: dict[str, Any] = TAKEDOWN
) -> int:
    """Blank the ``blanked`` fields of every stored event about contribution ``subject`` (its
    seqs, times, types and audiences stay: the log stays gap-free). Returns how many were
    rewritten."""
    rows = (
        await session.execute(
            select(MeetingEvent.seq, MeetingEvent.envelope).where(
                MeetingEvent.meeting_id == meeting_id, MeetingEvent.subject == subject
            )
        )
    ).all()
    changed = [
        {"m": meeting_id, "s": int(seq), "e": redacted}
        for seq, envelope in rows
        if (redacted := redact_envelope(envelope, blanked)) != envelope
    ]
    if changed:
        table = cast(Table, MeetingEvent.__table__)
        await session.execute(
            update(table)
            .where(table.c.meeting_id == bindparam("m"), table.c.seq == bindparam("s"))
            .values(envelope=bindparam("e")),
            changed,
        )
    return len(changed)


ALL = frozenset(Audience)


async def prune(session: AsyncSession, meeting_id: int, keep_from: int) -> int:
    """Drop events below ``keep_from``; clients resuming from before it will be reset."""
    await session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.first_seq < keep_from)
        .values(first_seq=keep_from)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        delete(MeetingEvent)
        .where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.seq < keep_from)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)

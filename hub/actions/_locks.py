"""What every meeting action does first: lock the meeting's row, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hub.actions import NotFound
from hub.events.publish import Writer
from hub.events.schema import Event
from hub.models import Meeting


@dataclass(frozen=True)
class Actor:
    """Who acts: kept to what the staff activity log shows."""

    user_id: int
    display_name: str


async def lock_meeting(w: Writer, meeting_id: int) -> Meeting:
    """The meeting, locked until the transaction ends: actions on one meeting serialise, so
    each finds the state the last one left and seqs stay in commit order (on SQLite the write
    transaction is exclusive already)."""
    meeting = (
        await w.session.execute(
            select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
        )
    ).scalar_one_or_none()
    if meeting is None:
        raise NotFound("no such meeting")
    return meeting


async def emit(w: Writer, meeting_id: int, events: list[Event]) -> None:
    """Flush the action's changes, then append its (non-participant) events: one seq
    allocation, one INSERT."""
    await w.session.flush()
    await w.emit_many(meeting_id, [(event, None) for event in events])

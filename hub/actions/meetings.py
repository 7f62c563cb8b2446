"""Clerk actions that drive a live meeting: open, current item, item outcomes, adjourn,
resume, close. Each locks the meeting row first (so concurrent clerks serialise and seqs stay
in commit order), checks the transition, changes rows and emits the events that describe it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.events.publish import Writer
from hub.events.schema import AgendaItemUpdated, Event, MeetingUpdated, StaffActionRecorded
from hub.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, utcnow
from hub.views import item_view, meeting_view

OUTCOME_MAX_CHARS = 2000


@dataclass(frozen=True)
class Actor:
    """Who acts: kept to what the staff activity log shows."""

    user_id: int
    display_name: str


# Meeting status transitions a clerk may make: action -> (allowed from, to).
MEETING_TRANSITIONS: dict[str, tuple[frozenset[MeetingStatus], MeetingStatus]] = {
    "open": (frozenset({MeetingStatus.SCHEDULED}), MeetingStatus.LIVE),
    "adjourn": (frozenset({MeetingStatus.LIVE}), MeetingStatus.ADJOURNED),
    "resume": (frozenset({MeetingStatus.ADJOURNED}), MeetingStatus.LIVE),
    "close": (frozenset({MeetingStatus.LIVE, MeetingStatus.ADJOURNED}), MeetingStatus.CLOSED),
    "cancel": (frozenset({MeetingStatus.SCHEDULED}), MeetingStatus.CANCELLED),
}

# Outcomes a clerk may give an item (besides making it current).
ITEM_OUTCOMES = frozenset(
    {ItemStatus.DONE, ItemStatus.DEFERRED, ItemStatus.WITHDRAWN, ItemStatus.PENDING}
)


async def lock_meeting(w: Writer, meeting_id: int) -> Meeting:
    meeting = (
        await w.session.execute(
            select(Meeting).where(Meeting.id == meeting_id).with_for_update(of=Meeting)
        )
    ).scalar_one_or_none()
    if meeting is None:
        raise NotFound("no such meeting")
    return meeting


async def _items(w: Writer, meeting_id: int) -> list[AgendaItem]:
    result = await w.session.execute(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return list(result.scalars())


def _item(items: list[AgendaItem], item_id: int) -> AgendaItem:
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound("no such agenda item in this meeting")


async def _emit(w: Writer, meeting_id: int, events: list[Event]) -> None:
    """Flush the action's changes, then append its events: one seq allocation, one INSERT."""
    await w.session.flush()
    await w.emit_many(meeting_id, [(event, None) for event in events])


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > OUTCOME_MAX_CHARS:
        raise Invalid(f"the outcome note is longer than {OUTCOME_MAX_CHARS} characters")
    return note or None


async def change_meeting_status(w: Writer, meeting_id: int, action: str, actor: Actor) -> Meeting:
    """open / adjourn / resume / close / cancel."""
    if action not in MEETING_TRANSITIONS:
        raise Invalid(f"unknown meeting action {action!r}")
    allowed, target = MEETING_TRANSITIONS[action]
    meeting = await lock_meeting(w, meeting_id)
    if MeetingStatus(meeting.status) not in allowed:
        raise Conflict(f"cannot {action} a meeting that is {meeting.status}")
    now = utcnow()
    events: list[Event] = []
    if target is MeetingStatus.CLOSED:
        # Closing ends whatever was under discussion.
        for item in await _items(w, meeting_id):
            if item.status == ItemStatus.CURRENT:
                item.status = ItemStatus.DONE.value
                item.ended_at = now
                events.append(AgendaItemUpdated(item=item_view(item)))
    meeting.status = target.value
    meeting.updated_at = now
    events.append(MeetingUpdated(meeting=meeting_view(meeting)))
    events.append(StaffActionRecorded(action=f"meeting.{action}", actor=actor.display_name))
    await _emit(w, meeting_id, events)
    return meeting


async def set_current_item(w: Writer, meeting_id: int, item_id: int, actor: Actor) -> AgendaItem:
    """Make one item the one under discussion; the previous current item goes back to pending
    unless the clerk had already given it an outcome."""
    meeting = await lock_meeting(w, meeting_id)
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict("the meeting is not in session: open or resume it first")
    items = await _items(w, meeting_id)
    target = _item(items, item_id)
    if target.status == ItemStatus.WITHDRAWN:
        raise Conflict("this item was withdrawn")
    if target.status == ItemStatus.CURRENT:
        raise Conflict("this item is already current")
    now = utcnow()
    events: list[Event] = []
    for item in items:
        if item.status == ItemStatus.CURRENT:
            item.status = ItemStatus.PENDING.value
            item.ended_at = now
            events.append(AgendaItemUpdated(item=item_view(item)))
    await w.session.flush()  # the old current item is pending before the new one is current
    target.status = ItemStatus.CURRENT.value
    if target.started_at is None:
        target.started_at = now
    target.ended_at = None
    events.append(AgendaItemUpdated(item=item_view(target)))
    events.append(
        StaffActionRecorded(action="item.current", actor=actor.display_name, item_id=item_id)
    )
    await _emit(w, meeting_id, events)
    return target


async def set_item_outcome(
    w: Writer,
    meeting_id: int,
    item_id: int,
    status: str,
    actor: Actor,
    note: str | None = None,
) -> AgendaItem:
    """Mark an item done, deferred, withdrawn or back to pending, with an optional note."""
    try:
        outcome = ItemStatus(status)
    except ValueError:
        raise Invalid(f"unknown item status {status!r}") from None
    if outcome not in ITEM_OUTCOMES:
        raise Invalid(f"use the current-item action to make an item {status}")
    note = _clean_note(note)
    meeting = await lock_meeting(w, meeting_id)
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise Conflict(f"the meeting is {meeting.status}")
    item = _item(await _items(w, meeting_id), item_id)
    if item.status == outcome and note is None:
        raise Conflict(f"this item is already {outcome.value}")
    now: datetime = utcnow()
    if item.status == ItemStatus.CURRENT or outcome is ItemStatus.DONE:
        item.ended_at = now
    item.status = outcome.value
    if note is not None:
        item.outcome = note
    await _emit(
        w,
        meeting_id,
        [
            AgendaItemUpdated(item=item_view(item)),
            StaffActionRecorded(
                action=f"item.{outcome.value}", actor=actor.display_name, item_id=item_id, note=note
            ),
        ],
    )
    return item

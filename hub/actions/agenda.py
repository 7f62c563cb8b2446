"""Agenda items: adding them, making one current, giving them outcomes.

Each locks the meeting row first (so concurrent clerks serialise and seqs stay in commit order),
checks the transition, changes rows and emits the events that describe it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor, emit, lock_meeting
from hub.events.publish import Writer
from hub.events.schema import AgendaItemUpdated, Event, SpotlightChanged, StaffActionRecorded
from hub.models import AgendaItem, Contribution, ItemStatus, MeetingStatus, utcnow
from hub.queries.meetings import load_items
from hub.shapes.public import item_view

OUTCOME_MAX_CHARS = 2000

# Outcomes a clerk may give an item (besides making it current).
ITEM_OUTCOMES = frozenset(
    {ItemStatus.DONE, ItemStatus.DEFERRED, ItemStatus.WITHDRAWN, ItemStatus.PENDING}
)


@dataclass
class ItemSpec:
    number: str
    title: str
    description: str = ""
    children: list[ItemSpec] = field(default_factory=list)


async def add_items(w: Writer, meeting_id: int, specs: list[ItemSpec]) -> list[AgendaItem]:
    """Append items (and their sub-items) to a meeting's agenda, in order. For a meeting being
    created (nothing has seen it yet); emits nothing."""
    position = 0
    added: list[AgendaItem] = []
    for spec in specs:
        position += 1
        parent = AgendaItem(
            meeting_id=meeting_id,
            position=position,
            number=spec.number,
            title=spec.title,
            description=spec.description,
        )
        w.session.add(parent)
        await w.session.flush()
        added.append(parent)
        for child in spec.children:
            position += 1
            item = AgendaItem(
                meeting_id=meeting_id,
                parent_id=parent.id,
                position=position,
                number=child.number,
                title=child.title,
                description=child.description,
            )
            w.session.add(item)
            added.append(item)
    await w.session.flush()
    return added


async def items_of(w: Writer, meeting_id: int) -> list[AgendaItem]:
    """The meeting's items in agenda order (the meeting is locked: they cannot change)."""
    return await load_items(w.session, meeting_id)


def _item(items: list[AgendaItem], item_id: int) -> AgendaItem:
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound("no such agenda item in this meeting")


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > OUTCOME_MAX_CHARS:
        raise Invalid(f"the outcome note is longer than {OUTCOME_MAX_CHARS} characters")
    return note or None


async def set_current_item(w: Writer, meeting_id: int, item_id: int, actor: Actor) -> AgendaItem:
    """Make one item the one under discussion; the previous current item goes back to pending
    unless the clerk had already given it an outcome."""
    meeting = await lock_meeting(w, meeting_id)
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict("the meeting is not in session: open or resume it first")
    items = await items_of(w, meeting_id)
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
    # The chamber screen follows the meeting: an unpinned spotlight about another item goes.
    if meeting.spotlight_id is not None and not meeting.spotlight_pinned:
        spotlit = await w.session.get(Contribution, meeting.spotlight_id)
        if spotlit is None or spotlit.item_id != target.id:
            meeting.spotlight_id = None
            events.append(SpotlightChanged(contribution=None))
    events.append(
        StaffActionRecorded(action="item.current", actor=actor.display_name, item_id=item_id)
    )
    await emit(w, meeting_id, events)
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
    item = _item(await items_of(w, meeting_id), item_id)
    if item.status == outcome and note is None:
        raise Conflict(f"this item is already {outcome.value}")
    now: datetime = utcnow()
    if item.status == ItemStatus.CURRENT or outcome is ItemStatus.DONE:
        item.ended_at = now
    item.status = outcome.value
    if note is not None:
        item.outcome = note
    await emit(
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

"""Agenda items: adding them, making one current, giving them outcomes.

Each locks the meeting row first (so concurrent clerks serialise and seqs stay in commit order),
checks the transition, changes rows and emits the events that describe it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor, emit, lock_meeting
from hub.events.publish import Writer
from hub.events.schema import (
    AgendaItemRemoved,
    AgendaItemUpdated,
    Event,
    SpotlightChanged,
    StaffActionRecorded,
)
from hub.models import AgendaItem, Contribution, ItemStatus, Meeting, MeetingStatus, utcnow
from hub.queries.meetings import load_items
from hub.shapes.public import ItemView, item_views

OUTCOME_MAX_CHARS = 2000

# Outcomes a clerk may give an item (besides making it current).
ITEM_OUTCOMES = frozenset(
    {ItemStatus.DONE, ItemStatus.DEFERRED, ItemStatus.WITHDRAWN, ItemStatus.PENDING}
)


class Stale(Conflict):
    """A console action made against a state that has changed since the clerk saw it (the
    version their form carried is not the item's or the meeting's any more): refused rather
    than applied over what another clerk just did. Says what changed, who changed it and when,
    so the console can tell the clerk beside the item (hub/web/staff/acting.py words it in
    the clerk's language and the council's time zone)."""

    def __init__(
        self,
        subject: Literal["item", "meeting"],
        *,
        state: str,
        actor: str | None,
        at: datetime | None,
        item_id: int | None = None,
        item_number: str | None = None,
        outcome: str | None = None,
        repeat: bool = False,
    ) -> None:
        what = f"item {item_number}" if subject == "item" else "the meeting"
        super().__init__(
            f"{what} changed since this was sent (by {actor or 'another clerk'}"
            f"{f' at {at:%H:%M:%S} UTC' if at else ''}): it is now {state}"
        )
        self.subject = subject
        self.state = state
        self.actor = actor
        self.at = at
        self.item_id = item_id
        self.item_number = item_number
        self.outcome = outcome
        self.repeat = repeat  # the clerk asked for what another had just done


def stale_item(item: AgendaItem, *, repeat: bool = False) -> Stale:
    return Stale(
        "item",
        state=item.status,
        actor=item.changed_by,
        at=item.changed_at,
        item_id=item.id,
        item_number=item.number,
        outcome=item.outcome,
        repeat=repeat,
    )


def stale_meeting(meeting: Meeting) -> Stale:
    return Stale(
        "meeting",
        state=meeting.status,
        actor=meeting.status_changed_by,
        at=meeting.status_changed_at,
    )


def touch(item: AgendaItem, actor: Actor, now: datetime) -> None:
    """Count a change to an item and who made it (what a stale console action is told)."""
    item.version += 1
    item.changed_by = actor.display_name
    item.changed_at = now


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


def views_by_id(items: list[AgendaItem]) -> dict[int, ItemView]:
    """The items' public views by id: take them before a change, then ``changed_items``."""
    return {view.id: view for view in item_views(items)}


def changed_items(items: list[AgendaItem], before: dict[int, ItemView]) -> list[Event]:
    """An ``agenda.item.updated`` for every item whose public view changed (or appeared) since
    ``before``: the items changed, and the parents whose display status follows them (5 reads
    "under way" when 5a is made current); an ``agenda.item.removed`` for every item that left
    the public agenda (made private). Removals come first, and the current item last, so no
    client ever holds two current items."""
    after = item_views(items)
    present = {view.id for view in after}
    removed: list[Event] = [AgendaItemRemoved(id=i) for i in before if i not in present]
    changed = [view for view in after if before.get(view.id) != view]
    changed.sort(key=lambda view: view.status == ItemStatus.CURRENT)  # stable otherwise
    return [*removed, *(AgendaItemUpdated(item=view) for view in changed)]


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


async def set_current_item(
    w: Writer,
    meeting_id: int,
    item_id: int,
    actor: Actor,
    *,
    version: int | None = None,
    current_was: int | None = None,
) -> AgendaItem:
    """Make one item the one under discussion; the previous current item goes back to pending
    unless the clerk had already given it an outcome.

    ``version``: the item's version the clerk saw; ``current_was``: the id of the item they saw
    as current (0: none). Either, if given and no longer true, refuses with ``Stale`` (two
    clerks making different items current at once: the second is told who won). None: no
    check (the CLI, scripts)."""
    meeting = await lock_meeting(w, meeting_id)
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict("the meeting is not in session: open or resume it first")
    items = await items_of(w, meeting_id)
    target = _item(items, item_id)
    if version is not None and target.version != version:
        raise stale_item(target, repeat=target.status == ItemStatus.CURRENT)
    if current_was is not None:
        now_current = next((i for i in items if i.status == ItemStatus.CURRENT), None)
        if (now_current.id if now_current else 0) != current_was:
            # Describe what changed: the item now current, else the one the clerk saw current.
            raise stale_item(now_current or _item(items, current_was))
    if target.status == ItemStatus.WITHDRAWN:
        raise Conflict("this item was withdrawn")
    if target.status == ItemStatus.CURRENT:
        raise Conflict("this item is already current")
    now = utcnow()
    before = views_by_id(items)
    for item in items:
        if item.status == ItemStatus.CURRENT:
            item.status = ItemStatus.PENDING.value
            item.ended_at = now
            touch(item, actor, now)
    await w.session.flush()  # the old current item is pending before the new one is current
    target.status = ItemStatus.CURRENT.value
    if target.started_at is None:
        target.started_at = now
    target.ended_at = None
    touch(target, actor, now)
    events = changed_items(items, before)
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
    *,
    version: int | None = None,
) -> AgendaItem:
    """Mark an item done, deferred, withdrawn or back to pending, with an optional note.

    ``version``: the item's version the clerk saw; if it changed since, ``Stale`` (two clerks
    marking one item done with different notes: the second is told, the first note stays).
    None: no check."""
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
    items = await items_of(w, meeting_id)
    item = _item(items, item_id)
    if version is not None and item.version != version:
        raise stale_item(item, repeat=item.status == outcome)
    if item.status == outcome and note is None:
        raise Conflict(f"this item is already {outcome.value}")
    before = views_by_id(items)
    now: datetime = utcnow()
    if item.status == ItemStatus.CURRENT or outcome is ItemStatus.DONE:
        item.ended_at = now
    item.status = outcome.value
    if note is not None:
        item.outcome = note
    touch(item, actor, now)
    await emit(
        w,
        meeting_id,
        [
            *changed_items(items, before),
            StaffActionRecorded(
                action=f"item.{outcome.value}", actor=actor.display_name, item_id=item_id, note=note
            ),
        ],
    )
    return item

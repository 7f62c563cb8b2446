"""The staff agenda editor's changes: a meeting's details, and its items added, edited,
reordered, nested, made private or public (withdrawing is ``set_item_outcome``'s).

Each locks the meeting and appends events, so an open resident page follows at once: the
meeting's new view, every item whose public view changed (a moved item's neighbours too), and
``agenda.item.removed`` for an item made private. On an imported meeting, what a clerk changes
is recorded as edited here (hub/actions/ingest.py), so a re-import never overwrites it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from hub.actions import Conflict, Invalid, NotFound, storable
from hub.actions._locks import Actor, emit, lock_meeting
from hub.actions.agenda import changed_items, items_of, touch, views_by_id
from hub.actions.ingest import ORDER, mark_edited
from hub.events.publish import Writer
from hub.events.schema import Event, MeetingUpdated, StaffActionRecorded
from hub.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, utcnow
from hub.shapes.public import ItemView, meeting_view

NUMBER_MAX = 16
TITLE_MAX = 500
DESCRIPTION_MAX = 5000
MEETING_TEXT_MAX = {"title": 300, "body_name": 200, "location": 300, "webcast_url": 500}
# Agendas nest one level ("5a" under "5"), as councils print them and pages show them.
MAX_DEPTH = 2

Move = Literal["up", "down", "indent", "outdent"]


def _text(value: str, what: str, limit: int, *, required: bool = False) -> str:
    value = " ".join(storable(value).split()) if what != "description" else storable(value)
    value = value.strip()
    if required and not value:
        raise Invalid(f"the {what} is empty")
    if len(value) > limit:
        raise Invalid(f"the {what} is longer than {limit} characters")
    return value


def _editable(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise Conflict(f"the meeting is {meeting.status}: its agenda is final")


def _welsh(values: dict[str, object], name: str, value: str | None, limit: int) -> None:
    """Add a Welsh field to ``values`` if the form sent it (None: not sent, kept as it is;
    "": there is no Welsh)."""
    if value is not None:
        what = "description" if name == "description_cy" else "Welsh title"
        values[name] = _text(value, what, limit)


def _item(items: list[AgendaItem], item_id: int) -> AgendaItem:
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound("no such agenda item in this meeting")


def _tree(items: list[AgendaItem]) -> dict[int | None, list[AgendaItem]]:
    ids = {i.id for i in items}
    tree: dict[int | None, list[AgendaItem]] = {}
    for item in sorted(items, key=lambda i: (i.position, i.id)):
        parent = item.parent_id if item.parent_id in ids else None
        tree.setdefault(parent, []).append(item)
    return tree


def _renumber(tree: dict[int | None, list[AgendaItem]]) -> None:
    """Positions in agenda order: each item, then its sub-items."""
    position = 0

    def walk(parent: int | None) -> None:
        nonlocal position
        for item in tree.get(parent, []):
            position += 1
            if item.position != position:
                item.position = position
            walk(item.id)

    walk(None)


async def _finish(
    w: Writer,
    meeting: Meeting,
    items: list[AgendaItem],
    before: dict[int, ItemView],
    actor: Actor,
    action: str,
    item_id: int | None,
) -> None:
    events: list[Event] = changed_items(items, before)
    events.append(StaffActionRecorded(action=action, actor=actor.display_name, item_id=item_id))
    meeting.updated_at = utcnow()
    await emit(w, meeting.id, events)


async def edit_meeting(
    w: Writer,
    meeting_id: int,
    actor: Actor,
    *,
    title: str,
    body_name: str,
    starts_at: datetime,
    location: str,
    webcast_url: str | None,
    title_cy: str | None = None,
) -> Meeting:
    """A meeting's details. On an imported meeting each field changed is kept from then on."""
    if starts_at.tzinfo is None:
        raise Invalid("a meeting's start time needs a time zone")
    values: dict[str, object] = {
        "title": _text(title, "title", MEETING_TEXT_MAX["title"], required=True),
        "body_name": _text(body_name, "body", MEETING_TEXT_MAX["body_name"]),
        "starts_at": starts_at,
        "location": _text(location, "location", MEETING_TEXT_MAX["location"]),
        "webcast_url": (webcast_url or "").strip() or None,
    }
    _welsh(values, "title_cy", title_cy, MEETING_TEXT_MAX["title"])
    webcast = values["webcast_url"]
    if isinstance(webcast, str):
        if not webcast.startswith(("https://", "http://")):
            raise Invalid("the webcast link must be an http(s) URL")
        if len(webcast) > MEETING_TEXT_MAX["webcast_url"]:
            raise Invalid("the webcast link is longer than 500 characters")
    meeting = await lock_meeting(w, meeting_id)
    before = meeting_view(meeting)
    changed = [name for name, value in values.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, values[name])
    if meeting.source is not None:
        mark_edited(meeting, *changed)
    meeting.updated_at = utcnow()
    events: list[Event] = []
    if meeting_view(meeting) != before:
        events.append(MeetingUpdated(meeting=meeting_view(meeting)))
    events.append(StaffActionRecorded(action="meeting.details", actor=actor.display_name))
    await emit(w, meeting_id, events)
    return meeting


async def add_item(
    w: Writer,
    meeting_id: int,
    actor: Actor,
    *,
    number: str,
    title: str,
    description: str = "",
    parent_id: int | None = None,
    private: bool = False,
    title_cy: str = "",
    description_cy: str = "",
) -> AgendaItem:
    """A new item at the end of the agenda, or at the end of ``parent_id``'s sub-items."""
    number = _text(number, "number", NUMBER_MAX)
    title = _text(title, "title", TITLE_MAX, required=True)
    description = _text(description, "description", DESCRIPTION_MAX)
    title_cy = _text(title_cy, "Welsh title", TITLE_MAX)
    description_cy = _text(description_cy, "description", DESCRIPTION_MAX)
    meeting = await lock_meeting(w, meeting_id)
    _editable(meeting)
    items = await items_of(w, meeting_id)
    before = views_by_id(items)
    if parent_id is not None:
        parent = _item(items, parent_id)
        if parent.parent_id is not None:
            raise Invalid("sub-items cannot have sub-items of their own")
    item = AgendaItem(
        meeting_id=meeting_id,
        parent_id=parent_id,
        position=len(items) + 1,
        number=number,
        title=title,
        description=description,
        title_cy=title_cy,
        description_cy=description_cy,
        private=private,
        status=ItemStatus.PENDING.value,
        version=0,
    )
    w.session.add(item)
    await w.session.flush()
    items.append(item)
    _renumber(_tree(items))
    await w.session.flush()
    await _finish(w, meeting, items, before, actor, "agenda.add", item.id)
    return item


async def edit_item(
    w: Writer,
    meeting_id: int,
    item_id: int,
    actor: Actor,
    *,
    number: str,
    title: str,
    description: str,
    title_cy: str | None = None,
    description_cy: str | None = None,
) -> AgendaItem:
    """An item's number, title and description (and their Welsh, if given). On an imported
    item, each field changed is kept from then on."""
    values: dict[str, object] = {
        "number": _text(number, "number", NUMBER_MAX),
        "title": _text(title, "title", TITLE_MAX, required=True),
        "description": _text(description, "description", DESCRIPTION_MAX),
    }
    _welsh(values, "title_cy", title_cy, TITLE_MAX)
    _welsh(values, "description_cy", description_cy, DESCRIPTION_MAX)
    meeting = await lock_meeting(w, meeting_id)
    items = await items_of(w, meeting_id)
    item = _item(items, item_id)
    before = views_by_id(items)
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if not changed:
        return item
    for name in changed:
        setattr(item, name, values[name])
    if item.external_id is not None:
        mark_edited(item, *changed)
    touch(item, actor, utcnow())
    await _finish(w, meeting, items, before, actor, "agenda.edit", item_id)
    return item


async def set_private(
    w: Writer, meeting_id: int, item_id: int, actor: Actor, private: bool
) -> AgendaItem:
    """Mark an item private (restricted: it leaves every public page at once) or public again.
    Its sub-items follow it."""
    meeting = await lock_meeting(w, meeting_id)
    items = await items_of(w, meeting_id)
    item = _item(items, item_id)
    if item.private == private:
        raise Conflict(f"this item is already {'private' if private else 'public'}")
    if private and item.status == ItemStatus.CURRENT:
        raise Conflict("this item is being discussed: make another current first")
    before = views_by_id(items)
    now = utcnow()
    for row in [item, *(i for i in items if i.parent_id == item.id)]:
        if row.private != private:
            row.private = private
            if row.external_id is not None:
                mark_edited(row, "private")
            touch(row, actor, now)
    action = "agenda.private" if private else "agenda.public"
    await _finish(w, meeting, items, before, actor, action, item_id)
    return item


async def move_item(
    w: Writer, meeting_id: int, item_id: int, actor: Actor, move: Move
) -> AgendaItem:
    """Reorder or renest one item (with its sub-items): ``up`` / ``down`` among its siblings,
    ``indent`` under the item above it, ``outdent`` to follow its parent. On an imported
    meeting, the clerk's order is kept by later imports (new items are added at the end)."""
    meeting = await lock_meeting(w, meeting_id)
    _editable(meeting)
    items = await items_of(w, meeting_id)
    item = _item(items, item_id)
    before = views_by_id(items)
    tree = _tree(items)
    siblings = tree.setdefault(item.parent_id, [])
    index = siblings.index(item)
    if move == "up":
        if index == 0:
            raise Conflict("this item is first already")
        siblings[index - 1], siblings[index] = siblings[index], siblings[index - 1]
    elif move == "down":
        if index == len(siblings) - 1:
            raise Conflict("this item is last already")
        siblings[index + 1], siblings[index] = siblings[index], siblings[index + 1]
    elif move == "indent":
        if item.parent_id is not None:
            raise Conflict("sub-items cannot have sub-items of their own")
        if index == 0:
            raise Conflict("the first item has nothing above it to go under")
        if tree.get(item.id):
            raise Conflict("an item with sub-items cannot become a sub-item")
        parent = siblings[index - 1]
        siblings.remove(item)
        tree.setdefault(parent.id, []).append(item)
        item.parent_id = parent.id
    elif move == "outdent":
        if item.parent_id is None:
            raise Conflict("this item is not a sub-item")
        parent = _item(items, item.parent_id)
        siblings.remove(item)
        top = tree.setdefault(parent.parent_id, [])
        top.insert(top.index(parent) + 1, item)
        item.parent_id = parent.parent_id
    else:
        raise Invalid(f"unknown move {move!r}")
    _renumber(tree)
    if meeting.source is not None:
        mark_edited(meeting, ORDER)
    await w.session.flush()
    await _finish(w, meeting, items, before, actor, f"agenda.{move}", item_id)
    return item

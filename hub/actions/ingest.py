"""Imported meetings stored: an idempotent upsert by (source, external id), one meeting per
transaction (a failure leaves nothing of that meeting half-written; the caller names it).

What a clerk edited here is never overwritten: each imported field's last value from the source
is kept beside the hub's own (``source_values``), and the fields a clerk changed are listed in
``edited_fields`` (hub/actions/agenda_edit.py adds them), so a re-import updates the rest and
the staff editor shows where the two differ. Items gone from the source are withdrawn, never
deleted (they may carry comments); an item back at the source comes back. A meeting the source
cancels is cancelled (unless it has begun); one it reinstates is scheduled again.

An existing meeting is changed as every action changes one: locked, and its changes appended as
events (``meeting.updated``, ``agenda.item.updated``, ``agenda.item.removed``), so residents
watching its page see them without a reload. A new meeting emits nothing: nobody watches it yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hub.actions import Invalid, storable
from hub.actions._locks import emit, lock_meeting
from hub.actions.agenda import changed_items, items_of, views_by_id
from hub.events.publish import Writer
from hub.events.schema import Event, MeetingUpdated, StaffActionRecorded
from hub.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, utcnow
from hub.queries.provenance import edited, plain, source_values
from hub.shapes.public import meeting_view
from integrations.agendas.models import Document, ImportedItem, ImportedMeeting, State

# The fields an import sets, on meetings and on items; a clerk's edit of one of them is kept.
MEETING_FIELDS = (
    "title",
    "title_cy",
    "body_name",
    "starts_at",
    "location",
    "webcast_url",
    "documents",
)
ITEM_FIELDS = (
    "number",
    "title",
    "title_cy",
    "description",
    "description_cy",
    "private",
    "documents",
)
# The column sizes (hub/models/meetings.py): imported text is cut to fit, never refused.
_MAX = {"title": 300, "body_name": 200, "location": 300, "webcast_url": 500, "number": 16}
_ITEM_MAX = {"number": 16, "title": 500}
# The Welsh fields: set only when the source gave Welsh this time (None: it said nothing, e.g.
# its Welsh site was down), so a failed Welsh read never erases the Welsh the hub has.
# "order": the clerk reordered or renested the agenda; the import then keeps their order and
# adds new items at the end. "status": the clerk set the meeting's status themselves.
ORDER = "order"


@dataclass(frozen=True)
class SourceRef:
    """The source a meeting is imported from: its ``key`` (the meetings' ``source``) and the
    name staff gave it (who the activity log and stale console forms say changed things)."""

    key: str
    name: str


@dataclass(frozen=True)
class Stored:
    """What storing one imported meeting did."""

    meeting_id: int
    created: bool
    changed: bool  # anything residents or staff see changed (events were appended)
    items: int  # the imported items stored (all of them, changed or not)


def mark_edited(row: Meeting | AgendaItem, *names: str) -> None:
    """Record that a clerk changed these fields here (only for what came from a source)."""
    fields = edited(row) | set(names)
    row.edited_fields = " ".join(sorted(fields))


def _documents(docs: tuple[Document, ...]) -> str:
    return json.dumps([{"title": d.title, "url": d.url} for d in docs], ensure_ascii=False)


def _text(value: str | None, limit: int) -> str:
    return storable(value or "").strip()[:limit]


def _meeting_values(imported: ImportedMeeting) -> dict[str, Any]:
    webcast = imported.webcast_url
    welsh = {}
    if imported.title_cy is not None:
        welsh["title_cy"] = _text(imported.title_cy, _MAX["title"])
    return {
        **welsh,
        "title": _text(imported.title, _MAX["title"]) or "Meeting",
        "body_name": _text(imported.body_name, _MAX["body_name"]),
        "starts_at": imported.starts_at,
        "location": _text(imported.location, _MAX["location"]),
        "webcast_url": webcast[: _MAX["webcast_url"]] if webcast else None,
        "documents": _documents(imported.documents),
    }


def _item_values(item: ImportedItem) -> dict[str, Any]:
    welsh = {}
    if item.title_cy is not None:
        welsh["title_cy"] = _text(item.title_cy, _ITEM_MAX["title"])
    if item.description_cy is not None:
        welsh["description_cy"] = storable(item.description_cy).strip()
    return {
        **welsh,
        "number": _text(item.number, _ITEM_MAX["number"]),
        "title": _text(item.title, _ITEM_MAX["title"]) or "(untitled)",
        "description": storable(item.description).strip(),
        "private": item.restricted,
        "documents": _documents(item.documents),
    }


def _same(a: Any, b: Any) -> bool:
    return bool(a == b)


def _apply(row: Meeting | AgendaItem, values: dict[str, Any]) -> bool:
    """Set the fields a clerk has not edited; remember what the source said of all. True if a
    field the hub shows changed."""
    mine = edited(row)
    changed = False
    for name, value in values.items():
        if name not in mine and not _same(getattr(row, name), value):
            setattr(row, name, value)
            changed = True
    row.source_values = json.dumps(
        {name: plain(value) for name, value in values.items()}, ensure_ascii=False
    )
    return changed


def _flatten(
    items: tuple[ImportedItem, ...], parent: str | None = None
) -> list[tuple[ImportedItem, str | None]]:
    flat: list[tuple[ImportedItem, str | None]] = []
    for item in items:
        flat.append((item, parent))
        flat.extend(_flatten(item.children, item.external_id))
    return flat


async def store_meeting(
    w: Writer, council_id: int, source: SourceRef, imported: ImportedMeeting
) -> Stored:
    """Create or update the meeting ``imported`` describes (by the source's key and the
    meeting's id there). Call it in a transaction of its own."""
    if not imported.external_id:
        raise Invalid("the source gave the meeting no id")
    found = (
        await w.session.execute(
            select(Meeting.id, Meeting.council_id).where(
                Meeting.source == source.key, Meeting.external_id == imported.external_id
            )
        )
    ).first()
    if found is None:
        return await _create(w, council_id, source, imported)
    if found.council_id != council_id:
        raise Invalid("this meeting belongs to another council")
    return await _update(w, found.id, source, imported)


async def _create(
    w: Writer, council_id: int, source: SourceRef, imported: ImportedMeeting
) -> Stored:
    values = _meeting_values(imported)
    meeting = Meeting(
        council_id=council_id,
        source=source.key,
        external_id=imported.external_id[:200],
        source_url=imported.url[:500] if imported.url else None,
        status=(
            MeetingStatus.CANCELLED.value
            if imported.state is State.CANCELLED
            else MeetingStatus.SCHEDULED.value
        ),
    )
    _apply(meeting, values)
    _remember_state(meeting, imported.state)
    w.session.add(meeting)
    await w.session.flush()
    count = 0
    if imported.items is not None:
        count = await _merge_items(w, meeting, [], imported.items, source)
    return Stored(meeting.id, created=True, changed=True, items=count)


def _remember_state(meeting: Meeting, state: State) -> None:
    values = source_values(meeting)
    values["state"] = state.value
    meeting.source_values = json.dumps(values, ensure_ascii=False)


async def _update(
    w: Writer, meeting_id: int, source: SourceRef, imported: ImportedMeeting
) -> Stored:
    meeting = await lock_meeting(w, meeting_id)
    before_view = meeting_view(meeting)
    items = await items_of(w, meeting_id)
    before_items = views_by_id(items)
    was_cancelled_at_source = source_values(meeting).get("state") == State.CANCELLED.value
    _apply(meeting, _meeting_values(imported))
    _remember_state(meeting, imported.state)
    meeting.source_url = imported.url[:500] if imported.url else None
    now = utcnow()
    target: MeetingStatus | None = None
    if imported.state is State.CANCELLED and meeting.status == MeetingStatus.SCHEDULED:
        target = MeetingStatus.CANCELLED
    elif (
        imported.state is State.SCHEDULED
        and meeting.status == MeetingStatus.CANCELLED
        and was_cancelled_at_source
        and "status" not in edited(meeting)
    ):
        target = MeetingStatus.SCHEDULED  # reinstated at the source
    if target is not None:
        meeting.status = target.value
        meeting.status_version += 1
        meeting.status_changed_by = source.name
        meeting.status_changed_at = now
    count = 0
    if imported.items is not None:
        count = await _merge_items(w, meeting, items, imported.items, source)
        items = await items_of(w, meeting_id)
    events: list[Event] = []
    if meeting_view(meeting) != before_view:
        events.append(MeetingUpdated(meeting=meeting_view(meeting)))
    events.extend(changed_items(items, before_items))
    if not events:
        await w.session.flush()
        return Stored(meeting_id, created=False, changed=False, items=count)
    meeting.updated_at = now
    events.append(StaffActionRecorded(action="meeting.imported", actor=source.name))
    await emit(w, meeting_id, events)
    return Stored(meeting_id, created=False, changed=True, items=count)


async def _merge_items(
    w: Writer,
    meeting: Meeting,
    items: list[AgendaItem],
    imported: tuple[ImportedItem, ...],
    source: SourceRef,
) -> int:
    """Bring the meeting's items in step with the source's agenda; returns how many the source
    has. Items are matched by their id at the source; the hub's own items stay where they are."""
    now = utcnow()
    by_external = {i.external_id: i for i in items if i.external_id is not None}
    flat = _flatten(imported)
    seen: dict[str, AgendaItem] = {}
    added: list[AgendaItem] = []
    for spec, _parent in flat:
        if spec.external_id in seen:
            raise Invalid(f"the source lists item {spec.external_id!r} twice")
        row = by_external.get(spec.external_id)
        values = _item_values(spec)
        if row is None:
            row = AgendaItem(meeting_id=meeting.id, position=0, external_id=spec.external_id[:200])
            _apply(row, values)
            w.session.add(row)
            added.append(row)
        else:
            changed = _apply(row, values)
            if row.removed_at_source:
                row.removed_at_source = False
                if row.status == ItemStatus.WITHDRAWN:
                    row.status = ItemStatus.PENDING.value
                changed = True
            if changed:
                _touch(row, source, now)
        seen[spec.external_id] = row
    for row in items:
        if (
            row.external_id is not None
            and row.external_id not in seen
            and not row.removed_at_source
        ):
            row.removed_at_source = True
            if row.status in (ItemStatus.PENDING, ItemStatus.DEFERRED):
                row.status = ItemStatus.WITHDRAWN.value
            _touch(row, source, now)
    await w.session.flush()  # the new rows have ids: parents can be set

    reordered_here = ORDER in edited(meeting)
    for spec, parent in flat:
        row = seen[spec.external_id]
        if reordered_here and row not in added:
            continue  # the clerk's nesting stands
        parent_id = seen[parent].id if parent is not None else None
        if row.parent_id != parent_id:
            row.parent_id = parent_id
            if row not in added:
                _touch(row, source, now)
    if reordered_here:
        order = [*items, *added]
    else:
        order = _merged_order(items, [seen[spec.external_id] for spec, _ in flat])
    for position, row in enumerate(order, start=1):
        if row.position != position:
            row.position = position
    await w.session.flush()
    return len(flat)


def _merged_order(old: list[AgendaItem], imported: list[AgendaItem]) -> list[AgendaItem]:
    """The source's order, with each item the source does not list (added here, or gone from
    the source) kept after the item it followed."""
    listed = {id(row) for row in imported}
    followers: dict[int | None, list[AgendaItem]] = {}
    anchor: AgendaItem | None = None
    for row in old:
        if id(row) in listed:
            anchor = row
        else:
            followers.setdefault(id(anchor) if anchor is not None else None, []).append(row)
    order = list(followers.get(None, []))
    for row in imported:
        order.append(row)
        order.extend(followers.get(id(row), []))
    return order


def _touch(row: AgendaItem, source: SourceRef, now: datetime) -> None:
    """Count a change the import made (a console form shown before it is then stale, and is
    told the source changed the item)."""
    row.version += 1
    row.changed_by = source.name
    row.changed_at = now

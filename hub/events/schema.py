"""Every event type a meeting's log can hold: closed, typed and self-documenting.

Each event is a frozen dataclass registered under its wire ``type``, with an explicit audience.
Its docstring is its documentation (docs/api.md is generated from it and a test checks it stays
so). ``from_data`` rejects unknown or missing fields, so a typo in a producer fails loudly.

Envelope on the wire (and in the log):
``{"seq": 42, "type": "agenda.item.updated", "at": "2026-11-22T19:03:11.123Z", "data": {...}}``
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, TypeVar

from hub.views import ItemView, MeetingView


class Audience(enum.StrEnum):
    PUBLIC = "public"  # everyone: residents, the projector, open-data consumers
    STAFF = "staff"  # signed-in clerks and admins of the meeting's council only


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]
    audience: ClassVar[Audience]

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Event:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{cls.type}: unknown fields {sorted(unknown)}")
        return cls(**{k: _decode(cls, k, v) for k, v in data.items()})


EVENT_TYPES: dict[str, type[Event]] = {}
E = TypeVar("E", bound=type[Event])


def register(cls: E) -> E:
    if cls.type in EVENT_TYPES:
        raise ValueError(f"duplicate event type {cls.type}")
    EVENT_TYPES[cls.type] = cls
    return cls


_VIEW_FIELDS: dict[str, type[Any]] = {"meeting": MeetingView, "item": ItemView}


def _decode(cls: type[Event], name: str, value: Any) -> Any:
    view = _VIEW_FIELDS.get(name)
    if view is not None and isinstance(value, dict):
        return view(**value)
    return value


@register
@dataclass(frozen=True, kw_only=True)
class MeetingUpdated(Event):
    """The meeting's details or status changed (opened, adjourned, resumed, closed).

    ``data.meeting`` is the meeting's full public view, as in the snapshot: replace it whole.
    """

    type: ClassVar[str] = "meeting.updated"
    audience: ClassVar[Audience] = Audience.PUBLIC
    meeting: MeetingView


@register
@dataclass(frozen=True, kw_only=True)
class AgendaItemUpdated(Event):
    """An agenda item changed: its status (pending, current, done, deferred, withdrawn), its
    outcome note or its start and end times.

    ``data.item`` is the item's full public view: replace the item with the same ``id``. The
    current item is the one whose status is ``current``; at most one item is current.
    """

    type: ClassVar[str] = "agenda.item.updated"
    audience: ClassVar[Audience] = Audience.PUBLIC
    item: ItemView


@register
@dataclass(frozen=True, kw_only=True)
class StaffActionRecorded(Event):
    """Staff only: who took which clerk action, for the console's activity log.

    ``data.action`` names the action (``meeting.open``, ``item.current``, ...), ``data.actor``
    is the staff member's display name, ``data.item_id`` the item acted on (or null) and
    ``data.note`` the outcome note given, if any. Never sent to public sockets.
    """

    type: ClassVar[str] = "staff.action.recorded"
    audience: ClassVar[Audience] = Audience.STAFF
    action: str
    actor: str
    item_id: int | None = None
    note: str | None = None


def parse_event(type_: str, data: dict[str, Any]) -> Event:
    cls = EVENT_TYPES.get(type_)
    if cls is None:
        raise ValueError(f"unknown event type {type_!r}")
    return cls.from_data(data)

"""Every event type a meeting's log can hold: closed, typed and self-documenting.

Each event is a frozen dataclass registered under its wire ``type``, with an explicit audience.
Its docstring is its documentation (docs/api.md is generated from it and a test checks it stays
so). ``from_data`` rejects unknown or missing fields, so a typo in a producer fails loudly.

Envelope on the wire (and in the log):
``{"seq": 42, "type": "agenda.item.updated", "at": "2026-11-22T19:03:11.123Z", "data": {...}}``
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from hub.shapes.own import OwnContributionView
from hub.shapes.public import ContributionView, ItemView, MeetingView, WrittenView
from hub.shapes.serialise import plain
from hub.shapes.staff import SourceHealthView, StaffContributionView


class Audience(enum.StrEnum):
    PUBLIC = "public"  # everyone: residents, the projector, open-data consumers
    STAFF = "staff"  # signed-in staff of the meeting's council only
    PARTICIPANT = "participant"  # one resident (the event's ``target``): their own submissions


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str]
    audience: ClassVar[Audience]
    # True for the event that says earlier events about its subject were redacted.
    redacts_subject: ClassVar[bool] = False

    def subject(self) -> int | None:
        """The contribution this event carries, if any: stored beside it, so that what a clerk
        takes down or a resident erases can be found in the log and redacted."""
        contribution = getattr(self, "contribution", None)
        return contribution.id if isinstance(contribution, WrittenView) else None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = plain(self)
        return data

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


def _decode(cls: type[Event], name: str, value: Any) -> Any:
    view = cls.__dataclass_fields__[name].metadata.get("view")
    if view is not None and isinstance(value, dict):
        return view(**value)
    return value


def view(cls: type[Any]) -> Any:
    """A field holding a view dataclass (decoded from JSON by ``from_data``)."""
    return field(metadata={"view": cls})


@register
@dataclass(frozen=True, kw_only=True)
class MeetingUpdated(Event):
    """The meeting's details or status changed (opened, adjourned, resumed, closed).

    ``data.meeting`` is the meeting's full public view, as in the snapshot: replace it whole.
    """

    type: ClassVar[str] = "meeting.updated"
    audience: ClassVar[Audience] = Audience.PUBLIC
    meeting: MeetingView = view(MeetingView)


@register
@dataclass(frozen=True, kw_only=True)
class AgendaItemUpdated(Event):
    """An agenda item changed: its status (pending, current, done, deferred, withdrawn), its
    outcome note or its start and end times.

    ``data.item`` is the item's full public view: replace the item with the same ``id``. The
    current item is the one whose status is ``current``; at most one item is current.
    ``data.item.display_status`` is how the item reads: its status, except that a pending item
    reads ``underway`` while one of its sub-items is current and ``discussed`` once it or a
    sub-item has been taken. So one clerk action can update several items (making 5a current
    updates 5 too); the item made current comes last.
    """

    type: ClassVar[str] = "agenda.item.updated"
    audience: ClassVar[Audience] = Audience.PUBLIC
    item: ItemView = view(ItemView)


@register
@dataclass(frozen=True, kw_only=True)
class AgendaItemRemoved(Event):
    """An item left the public agenda: a clerk marked it private (restricted business), or its
    source now restricts it. Remove the item with ``data.id`` (its sub-items, if any, come as
    ``agenda.item.updated`` or ``agenda.item.removed`` events of their own). An item withdrawn
    from the agenda is not removed: it stays, with the status ``withdrawn``.

    ``agenda.item.updated`` for an ``id`` a client does not have adds the item (a clerk or an
    import added it, or made it public again): place it by ``parent_id`` and ``position``.
    """

    type: ClassVar[str] = "agenda.item.removed"
    audience: ClassVar[Audience] = Audience.PUBLIC
    id: int


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


@register
@dataclass(frozen=True, kw_only=True)
class ContributionPublished(Event):
    """A resident's comment or question, or a social post, was published (by a clerk, or at
    once under post-moderation or a council's allowlist of accounts). ``data.contribution`` is
    its public view: add it to its item's list. ``display_name`` null means "A resident". A
    social post has ``kind`` ``post`` and its attribution in ``post`` (platform, link to the
    original, author, media as links with their alt text, content warning)."""

    type: ClassVar[str] = "contribution.published"
    audience: ClassVar[Audience] = Audience.PUBLIC
    contribution: ContributionView = view(ContributionView)


@register
@dataclass(frozen=True, kw_only=True)
class ContributionUpdated(Event):
    """A published contribution changed: its vote count, a question was marked answered, or
    a clerk moved it to another agenda item (or to the meeting in general: ``item_id`` null).
    ``data.contribution`` is its full public view: replace the one with the same ``id`` (and
    show it under its ``item_id``)."""

    type: ClassVar[str] = "contribution.updated"
    audience: ClassVar[Audience] = Audience.PUBLIC
    contribution: ContributionView = view(ContributionView)


@register
@dataclass(frozen=True, kw_only=True)
class ContributionRemoved(Event):
    """A clerk took down a published contribution. Remove the one with ``data.id``."""

    type: ClassVar[str] = "contribution.removed"
    audience: ClassVar[Audience] = Audience.PUBLIC
    id: int

    def subject(self) -> int | None:
        return self.id


@register
@dataclass(frozen=True, kw_only=True)
class ContributionRedacted(Event):
    """The text and name of contribution ``data.id`` were taken down or erased: every earlier
    event about it in the log (and in replays) now carries an empty ``body`` and a null
    ``display_name``. A client still showing its text drops it."""

    type: ClassVar[str] = "contribution.redacted"
    audience: ClassVar[Audience] = Audience.PUBLIC
    redacts_subject: ClassVar[bool] = True
    id: int

    def subject(self) -> int | None:
        return self.id


@register
@dataclass(frozen=True, kw_only=True)
class SpotlightChanged(Event):
    """The question (or social post) shown on the chamber's projector changed.
    ``data.contribution`` is its public view, or null when nothing is spotlighted.
    ``data.pinned`` is true when the clerk pinned it: it stays on the screen when the current
    item changes (an unpinned one is cleared then, with this event). The snapshot's
    ``spotlight_pinned`` says the same."""

    type: ClassVar[str] = "meeting.spotlight"
    audience: ClassVar[Audience] = Audience.PUBLIC
    contribution: ContributionView | None = view(ContributionView)
    pinned: bool = False


@register
@dataclass(frozen=True, kw_only=True)
class OwnContributionUpdated(Event):
    """Only to the resident who wrote it: their submission was received, published, rejected
    or taken down, or a clerk moved it to another item. ``data.contribution`` has its
    ``status``, its ``item_id`` and, when refused, the ``reason`` code and its
    ``reason_label``."""

    type: ClassVar[str] = "contribution.mine"
    audience: ClassVar[Audience] = Audience.PARTICIPANT
    contribution: OwnContributionView = view(OwnContributionView)


@register
@dataclass(frozen=True, kw_only=True)
class ModerationItemUpdated(Event):
    """Staff only: a submission entered the moderation queue or a clerk acted on it.
    ``data.contribution`` is the staff view (status, screening flags, pseudonym, area); a
    queue shows it while its status is ``pending`` and drops it otherwise. ``data.action`` is
    what happened (``submitted``, ``approve``, ``reject``, ``hide``, ``answer``, ``spotlight``,
    ``block``, ``move``, ``withdraw``, ``edited``...) and ``data.actor`` who did it (null for a
    resident's submission or the hub's own). ``data.reason`` is the reason given, or for
    ``move`` where it went (``item:12`` or ``general``); ``withdraw`` (a social post deleted
    at its source) has ``deleted_at_source``."""

    type: ClassVar[str] = "moderation.item"
    audience: ClassVar[Audience] = Audience.STAFF
    contribution: StaffContributionView = view(StaffContributionView)
    action: str
    actor: str | None = None
    reason: str | None = None


@register
@dataclass(frozen=True, kw_only=True)
class SocialSourceHealth(Event):
    """Staff only: how one of the council's social sources is doing (X, a Mastodon instance,
    a Bluesky account), sent to each meeting it is polling for. ``data.source`` is its health
    view: ``state`` (``ok``, ``waiting`` for its first poll, ``failing``, ``rate_limited``,
    ``stopped`` until staff fix its credentials, ``disabled``), ``last_success_at``,
    ``posts_fetched`` (in all), ``next_poll_at``, ``rate_limit_reset_at``, ``last_error`` and
    ``stopped_reason`` in words; never its credentials, only ``credentials_set``. Replace the
    source with the same ``id``; ``data.removed`` true means it was removed: drop it.
    Sent when its state or error changes, when a poll stored posts, and otherwise at most every
    few minutes: not on every identical poll."""

    type: ClassVar[str] = "social.source.health"
    audience: ClassVar[Audience] = Audience.STAFF
    source: SourceHealthView = view(SourceHealthView)
    removed: bool = False


def parse_event(type_: str, data: dict[str, Any]) -> Event:
    cls = EVENT_TYPES.get(type_)
    if cls is None:
        raise ValueError(f"unknown event type {type_!r}")
    return cls.from_data(data)

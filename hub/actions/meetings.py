"""Meetings: creating one, changing its details and submission window, opening, adjourning,
resuming, closing or cancelling it, and pruning its log.

Every change to a meeting that pages show is a ``meeting.updated`` event, so an open resident
page follows it live (a changed submission window opens or closes its form).
"""

from __future__ import annotations

from datetime import datetime

from hub.actions import Conflict, Invalid, NotFound, storable
from hub.actions._locks import Actor, emit, lock_meeting
from hub.actions.agenda import (
    ItemSpec,
    add_items,
    changed_items,
    items_of,
    stale_meeting,
    touch,
    views_by_id,
)
from hub.actions.councils import checked_hashtags
from hub.events import log as event_log
from hub.events.publish import Writer
from hub.events.schema import Event, MeetingUpdated, StaffActionRecorded
from hub.models import ItemStatus, Meeting, MeetingStatus, utcnow
from hub.queries.councils import council_by_slug
from hub.shapes.public import meeting_view

# Meeting status transitions a clerk may make: action -> (allowed from, to).
MEETING_TRANSITIONS: dict[str, tuple[frozenset[MeetingStatus], MeetingStatus]] = {
    "open": (frozenset({MeetingStatus.SCHEDULED}), MeetingStatus.LIVE),
    "adjourn": (frozenset({MeetingStatus.LIVE}), MeetingStatus.ADJOURNED),
    "resume": (frozenset({MeetingStatus.ADJOURNED}), MeetingStatus.LIVE),
    "close": (frozenset({MeetingStatus.LIVE, MeetingStatus.ADJOURNED}), MeetingStatus.CLOSED),
    "cancel": (frozenset({MeetingStatus.SCHEDULED}), MeetingStatus.CANCELLED),
}


async def create_meeting(
    w: Writer,
    *,
    council_slug: str,
    title: str,
    body_name: str,
    starts_at: datetime,
    location: str = "",
    webcast_url: str | None = None,
    items: list[ItemSpec] | None = None,
    source: str | None = None,
    external_id: str | None = None,
) -> Meeting:
    """A new meeting with its agenda (``source`` and ``external_id``: where it was imported
    from, for idempotent re-imports). Its log starts empty: its snapshot at seq 0 is its state."""
    council = await council_by_slug(w.session, council_slug)
    if council is None:
        raise NotFound(f"no council {council_slug!r}")
    if starts_at.tzinfo is None:
        raise Invalid("a meeting's start time needs a time zone")
    if webcast_url and not webcast_url.startswith(("https://", "http://")):
        raise Invalid("the webcast link must be an http(s) URL")
    meeting = Meeting(
        council_id=council.id,
        title=title.strip(),
        body_name=body_name.strip(),
        starts_at=starts_at,
        location=location.strip(),
        webcast_url=webcast_url or None,
        source=source,
        external_id=external_id,
    )
    w.session.add(meeting)
    await w.session.flush()
    await add_items(w, meeting.id, items or [])
    return meeting


# A field ``update_meeting`` leaves as it is (None is a value: "the council's policy rules").
UNSET = object()


async def update_meeting(
    w: Writer,
    meeting_id: int,
    actor: Actor | None = None,
    *,
    submissions_open_at: datetime | None | object = UNSET,
    submissions_close_at: datetime | None | object = UNSET,
    hashtags: str | None = None,
) -> Meeting:
    """Change a meeting's submission window (None: the council's policy rules) or its own
    hashtags (beside its council's: the social media posts it shows carry one). Open pages get
    the meeting's new view as an event (they open or close their forms, show the new tags)."""
    meeting = await lock_meeting(w, meeting_id)
    before = meeting_view(meeting)
    window_before = (meeting.submissions_open_at, meeting.submissions_close_at)
    if hashtags is not None:
        meeting.hashtags = checked_hashtags(storable(hashtags))
    for name, value in (
        ("submissions_open_at", submissions_open_at),
        ("submissions_close_at", submissions_close_at),
    ):
        if value is UNSET:
            continue
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise Invalid("a submission window's times need a time zone")
        setattr(meeting, name, value)
    if meeting_view(meeting) == before:
        return meeting
    meeting.updated_at = utcnow()
    events: list[Event] = [MeetingUpdated(meeting=meeting_view(meeting))]
    if actor is not None:
        if (meeting.submissions_open_at, meeting.submissions_close_at) != window_before:
            events.append(StaffActionRecorded(action="meeting.window", actor=actor.display_name))
        if meeting_view(meeting).hashtags != before.hashtags:
            events.append(StaffActionRecorded(action="meeting.hashtags", actor=actor.display_name))
    await emit(w, meeting_id, events)
    return meeting


async def prune_log(w: Writer, meeting_id: int, keep_from: int) -> int:
    """Drop a meeting's events below seq ``keep_from`` (pages resuming from before it reload
    their snapshot). Returns how many were dropped."""
    meeting = await lock_meeting(w, meeting_id)
    if not 1 <= keep_from <= meeting.last_seq + 1:
        raise Invalid(f"keep_from must be between 1 and {meeting.last_seq + 1}")
    return await event_log.prune(w.session, meeting_id, keep_from)


async def change_meeting_status(
    w: Writer, meeting_id: int, action: str, actor: Actor, *, version: int | None = None
) -> Meeting:
    """open / adjourn / resume / close / cancel.

    ``version``: the meeting's ``status_version`` the clerk saw; if its status changed since,
    ``Stale`` naming who changed it. None: no check."""
    if action not in MEETING_TRANSITIONS:
        raise Invalid(f"unknown meeting action {action!r}")
    allowed, target = MEETING_TRANSITIONS[action]
    meeting = await lock_meeting(w, meeting_id)
    if version is not None and meeting.status_version != version:
        raise stale_meeting(meeting)
    if MeetingStatus(meeting.status) not in allowed:
        raise Conflict(f"cannot {action} a meeting that is {meeting.status}")
    now = utcnow()
    events: list[Event] = []
    if target is MeetingStatus.CLOSED:
        # Closing ends whatever was under discussion (and what its parents read).
        items = await items_of(w, meeting_id)
        before = views_by_id(items)
        for item in items:
            if item.status == ItemStatus.CURRENT:
                item.status = ItemStatus.DONE.value
                item.ended_at = now
                touch(item, actor, now)
        events.extend(changed_items(items, before))
    meeting.status = target.value
    meeting.updated_at = now
    meeting.status_version += 1
    meeting.status_changed_by = actor.display_name
    meeting.status_changed_at = now
    events.append(MeetingUpdated(meeting=meeting_view(meeting)))
    events.append(StaffActionRecorded(action=f"meeting.{action}", actor=actor.display_name))
    await emit(w, meeting_id, events)
    return meeting

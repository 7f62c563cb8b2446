"""The Welsh fields are an addition the shapes stay compatible with: an event logged before
them (no ``title_cy`` / ``description_cy``) reads back, with them empty."""

from __future__ import annotations

from hub.events.schema import parse_event
from hub.shapes.public import ItemView, MeetingView

OLD_ITEM = {
    "id": 7, "parent_id": None, "position": 5, "number": "5",
    "title": "Future of library services", "description": "", "status": "current",
    "outcome": None, "started_at": "2026-11-22T19:02:00.000Z", "ended_at": None,
    "display_status": "current", "version": 3, "documents": [],
}  # fmt: skip
OLD_MEETING = {
    "id": 1, "council_slug": "demo", "council_name": "Aberglas County Council",
    "timezone": "Europe/London", "language": "cy", "title": "Cabinet", "body_name": "Cabinet",
    "starts_at": "2026-11-22T18:30:00.000Z", "location": "", "webcast_url": None,
    "status": "live", "submissions_open_at": None, "submissions_close_at": None,
    "submissions_wait_for_opening": False, "status_version": 1, "documents": [],
    "source_url": None, "hashtags": [],
}  # fmt: skip


def test_events_logged_before_the_welsh_fields_read_back() -> None:
    item_event = parse_event("agenda.item.updated", {"item": OLD_ITEM})
    item = item_event.item  # type: ignore[attr-defined]
    assert isinstance(item, ItemView)
    assert (item.title_cy, item.description_cy) == ("", "")
    meeting_event = parse_event("meeting.updated", {"meeting": OLD_MEETING})
    meeting = meeting_event.meeting  # type: ignore[attr-defined]
    assert isinstance(meeting, MeetingView) and meeting.title_cy == ""


def test_the_welsh_fields_round_trip() -> None:
    event = parse_event(
        "agenda.item.updated",
        {"item": {**OLD_ITEM, "title_cy": "Dyfodol y llyfrgell", "description_cy": "Adroddiad"}},
    )
    assert event.item.title_cy == "Dyfodol y llyfrgell"  # type: ignore[attr-defined]
    assert event.to_data()["item"]["description_cy"] == "Adroddiad"

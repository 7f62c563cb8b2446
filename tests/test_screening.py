"""Screening and submission windows: pure functions, tested directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.models import AgendaItem, Council, Meeting
from hub.policy import Closed, item_window, meeting_window, policy_of
from hub.screening import body_key, screen


def _policy(**overrides: object):  # type: ignore[no-untyped-def]
    council = Council(
        slug="x",
        name="X",
        moderation="pre",
        submissions_open="publication",
        close_items_when_done=True,
        max_chars=1000,
        max_links=1,
        blocklist="",
        rejection_reasons="",
        rate_per_participant=5,
        rate_per_address=30,
    )
    for k, v in overrides.items():
        setattr(council, k, v)
    return policy_of(council)


def test_links_over_the_limit_are_held() -> None:
    p = _policy(max_links=1)
    assert screen("see https://a.example", p, repeated=False).flags == ()
    assert screen("see https://a.example and www.b.example", p, repeated=False).flags == ("links",)
    assert screen("two: council.gov.uk and spam.ru", p, repeated=False).flags == ("links",)


def test_blocklist_matches_whole_words_case_and_accent_insensitively() -> None:
    p = _policy(blocklist="idiot\nrubbish tip\n")
    assert screen("You IDIOT", p, repeated=False).flags == ("blocklist",)
    assert screen("the Rubbish  Tip closes", p, repeated=False).flags == ("blocklist",)
    assert screen("idiotic plan", p, repeated=False).flags == ()  # not a whole word
    p = _policy(blocklist="café")
    assert screen("Cafe owners object", p, repeated=False).flags == ("blocklist",)


def test_duplicates_are_held_after_normalising() -> None:
    p = _policy()
    assert body_key("keep the  LIBRARY open!") == body_key("Keep the library open!")
    assert body_key("Keep the library open on Sundays") != body_key("Keep the library open!")
    assert screen("keep the  LIBRARY open!", p, repeated=True).flags == ("duplicate",)


def test_council_reasons_extend_the_defaults() -> None:
    p = _policy(rejection_reasons="sub_judice: Concerns a case before the courts\nbroken line")
    assert p.reasons["sub_judice"] == "Concerns a case before the courts"
    assert "off_topic" in p.reasons and "broken line" not in p.reasons


def test_windows() -> None:
    now = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    meeting = Meeting(status="scheduled", submissions_open_at=None, submissions_close_at=None)
    assert meeting_window(_policy(), meeting, now) is None
    assert meeting_window(_policy(submissions_open="meeting"), meeting, now) is Closed.NOT_YET
    meeting.status = "live"
    assert meeting_window(_policy(submissions_open="meeting"), meeting, now) is None
    meeting.submissions_close_at = now - timedelta(minutes=1)
    assert meeting_window(_policy(), meeting, now) is Closed.MEETING_OVER
    meeting.submissions_close_at = None
    meeting.submissions_open_at = now + timedelta(hours=1)
    assert meeting_window(_policy(), meeting, now) is Closed.NOT_YET
    meeting.status = "closed"
    assert meeting_window(_policy(), meeting, now) is Closed.MEETING_OVER
    item = AgendaItem(status="done")
    assert item_window(_policy(), item) is Closed.ITEM_CLOSED
    assert item_window(_policy(close_items_when_done=False), item) is None
    assert (
        item_window(_policy(close_items_when_done=False), AgendaItem(status="withdrawn"))
        is Closed.ITEM_CLOSED
    )

"""How agenda items read (display_statuses): a parent is under way while one of its sub-items
is being discussed, and reads "discussed" once it or a sub-item has been taken; the statuses a
clerk sets otherwise stand."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.models import AgendaItem
from hub.shapes.public import display_statuses

AT = datetime(2026, 12, 3, 19, 32, tzinfo=UTC)


def item(id: int, status: str, parent: int | None = None, started: bool = False) -> AgendaItem:
    return AgendaItem(
        id=id,
        meeting_id=1,
        parent_id=parent,
        position=id,
        number=str(id),
        title=f"Item {id}",
        description="",
        status=status,
        started_at=AT if started else None,
    )


def test_a_parent_reads_under_way_while_a_sub_item_is_current() -> None:
    # 5 was current at 19:32, then the clerk moved to 5a: 5 is pending with its times.
    items = [item(5, "pending", started=True), item(6, "current", 5, True), item(7, "pending", 5)]
    assert display_statuses(items) == {5: "underway", 6: "current", 7: "pending"}


def test_at_any_depth() -> None:
    items = [item(1, "pending"), item(2, "pending", 1), item(3, "current", 2, True)]
    assert display_statuses(items) == {1: "underway", 2: "underway", 3: "current"}


def test_taken_and_left_without_an_outcome_reads_discussed() -> None:
    # 5 -> 5a -> 6: neither 5 nor 5a has an outcome; neither reads "Not yet discussed".
    items = [
        item(5, "pending", started=True),
        item(6, "pending", 5, True),
        item(7, "pending", 5),
        item(8, "current", started=True),
        item(9, "pending"),
    ]
    assert display_statuses(items) == {
        5: "discussed",
        6: "discussed",
        7: "pending",
        8: "current",
        9: "pending",
    }


def test_a_parent_whose_sub_item_is_done_reads_discussed_and_outcomes_stand() -> None:
    items = [
        item(1, "pending"),
        item(2, "done", 1),
        item(3, "done"),
        item(4, "deferred", 3, True),
        item(5, "withdrawn"),
        item(6, "current", 5, True),  # an odd agenda: the clerk's status still wins
    ]
    assert display_statuses(items) == {
        1: "discussed",
        2: "done",
        3: "done",
        4: "deferred",
        5: "withdrawn",
        6: "current",
    }

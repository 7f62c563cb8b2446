"""What the staff agenda editor shows: every item (private ones too), in agenda order with its
depth and where it may move, and for imported ones where the clerk's edits differ from the
source, which items the source no longer lists, and the meeting's own fields likewise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.models import AgendaItem, Meeting
from hub.queries.provenance import differs
from hub.shapes.public import DocumentView, document_views

ITEM_FIELDS = ("number", "title", "description")
MEETING_FIELDS = ("title", "body_name", "starts_at", "location", "webcast_url")


@dataclass(frozen=True)
class EditorItem:
    item: AgendaItem
    depth: int  # 0 for a main item, 1 for a sub-item
    first: bool  # first among its siblings
    last: bool
    has_children: bool
    can_indent: bool
    # The source's value of each field a clerk changed here, where the two now differ.
    source_differs: dict[str, Any] = field(default_factory=dict)
    documents: tuple[DocumentView, ...] = ()

    @property
    def imported(self) -> bool:
        return self.item.external_id is not None


def editor_items(items: list[AgendaItem]) -> list[EditorItem]:
    ids = {i.id for i in items}
    children: dict[int | None, list[AgendaItem]] = {}
    for item in sorted(items, key=lambda i: (i.position, i.id)):
        parent = item.parent_id if item.parent_id in ids else None
        children.setdefault(parent, []).append(item)
    rows: list[EditorItem] = []

    def walk(parent: int | None, depth: int) -> None:
        siblings = children.get(parent, [])
        for index, item in enumerate(siblings):
            below = bool(children.get(item.id))
            rows.append(
                EditorItem(
                    item=item,
                    depth=depth,
                    first=index == 0,
                    last=index == len(siblings) - 1,
                    has_children=below,
                    can_indent=depth == 0 and index > 0 and not below,
                    source_differs={
                        name: value
                        for name in ITEM_FIELDS
                        if (value := differs(item, name)) is not None
                    },
                    documents=document_views(item.documents),
                )
            )
            walk(item.id, depth + 1)

    walk(None, 0)
    return rows


def meeting_differs(meeting: Meeting) -> dict[str, Any]:
    return {name: value for name in MEETING_FIELDS if (value := differs(meeting, name)) is not None}

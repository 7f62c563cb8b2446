"""Councillors' review: a meeting's published feedback, per agenda item.

Counts by position, questions by votes, the comments themselves; residents' areas in totals.
Pure shaping of the public snapshot (plus the staff-only area totals): nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

POSITIONS = ("support", "oppose", "neutral")


@dataclass
class ItemFeedback:
    item: dict[str, Any] | None  # None: the meeting in general
    positions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POSITIONS, 0))
    questions: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.questions) + len(self.comments)


def feedback_by_item(snapshot: dict[str, Any]) -> list[ItemFeedback]:
    """Every agenda item in order (then the meeting in general), with its published feedback;
    questions most-voted first."""
    groups: dict[int | None, ItemFeedback] = {i["id"]: ItemFeedback(i) for i in snapshot["items"]}
    groups[None] = ItemFeedback(None)
    for c in snapshot["contributions"]:
        group = groups.get(c["item_id"], groups[None])
        if c["kind"] == "question":
            group.questions.append(c)
        else:
            group.comments.append(c)
            if c["position"] in group.positions:
                group.positions[c["position"]] += 1
    for group in groups.values():
        group.questions.sort(key=lambda q: (-q["votes"], q["id"]))
    return list(groups.values())

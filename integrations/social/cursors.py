"""Where a social source starts reading: from its stored cursor, or again from a time (a
meeting came into its window, or the tags changed), as each platform's cursor expresses it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from hub.queries.social import Target


def start_cursor(platform: str, start: datetime) -> str | None:
    """A cursor that makes the source read from ``start`` (X takes ``start_time`` instead)."""
    start = start.astimezone(UTC)
    if platform == "mastodon":
        # Mastodon's ids are milliseconds since 1970 shifted left 16 bits: min_id of a time's
        # id returns the statuses after that time.
        return str(int(start.timestamp() * 1000) << 16)
    if platform == "bluesky":
        return start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return None


def where_to_start(
    goals: Sequence[Target],
    cursor: str | None,
    cursor_tags: str | None,
    last_success_at: datetime | None,
) -> datetime | None:
    """None: go on from the stored cursor. Else the time to read from again: the earliest
    window start of a meeting whose tags the cursor was not for, or that came into its window
    after the last successful poll (its posts since then were never asked for)."""
    if cursor is None:
        return min(t.start for t in goals)
    before = set((cursor_tags or "").split())
    behind = [
        t.start
        for t in goals
        if set(t.tags) - before or last_success_at is None or last_success_at < t.start
    ]
    return min(behind) if behind else None

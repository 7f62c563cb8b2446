"""Exports as CSV: the column sets, and one writer that makes any cell safe to open in a
spreadsheet.

Each export's columns are one table of ``(header, value)`` here, so a new column (a social
post's source and link, issue #11) is one line. The writer follows RFC 4180 (commas, CRLF line
ends, fields quoted when they hold a quote, comma or line break, quotes doubled), UTF-8 with
no byte-order mark, and neutralises formula injection (OWASP's "CSV injection"): a text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``,
so a spreadsheet shows it as text instead of running it (``=HYPERLINK(...)``, ``@SUM(...)``).
Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hub.shapes.opendata import MeetingRecord
from hub.shapes.public import ContributionView, ItemView

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will not evaluate: text starting like a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV text, every cell through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


@dataclass(frozen=True)
class ContributionRow:
    """What a row of the public CSV is made from: a published contribution, its item (None:
    the meeting in general) and the record it belongs to."""

    contribution: ContributionView
    item: ItemView | None
    record: MeetingRecord


Column = tuple[str, Callable[[ContributionRow], Any]]

# The published contributions' CSV, one row each. Add a column here (a post's source, its
# link), and every CSV export has it.
CONTRIBUTION_COLUMNS: tuple[Column, ...] = (
    ("id", lambda r: r.contribution.id),
    ("meeting_id", lambda r: r.record.meeting.id),
    ("item_id", lambda r: r.contribution.item_id),
    ("item_number", lambda r: r.item.number if r.item else None),
    ("item_title", lambda r: r.item.title if r.item else None),
    ("kind", lambda r: r.contribution.kind),
    ("position", lambda r: r.contribution.position),
    ("body", lambda r: r.contribution.body),
    ("display_name", lambda r: r.contribution.display_name),
    ("votes", lambda r: r.contribution.votes),
    ("answered", lambda r: r.contribution.answered),
    ("published_at", lambda r: r.contribution.published_at),
    ("licence", lambda r: None if r.contribution.post else r.record.licence.name),
    ("licence_url", lambda r: None if r.contribution.post else r.record.licence.url),
    # A social post: where it comes from, and that the council's licence does not cover it.
    ("platform", lambda r: r.contribution.post.platform if r.contribution.post else None),
    ("post_url", lambda r: r.contribution.post.url if r.contribution.post else None),
    ("author_handle", lambda r: r.contribution.post.author_handle if r.contribution.post else None),
    ("posted_at", lambda r: r.contribution.post.posted_at if r.contribution.post else None),
    ("rights", lambda r: r.record.posts_rights if r.contribution.post else None),
)


def contributions_csv(record: MeetingRecord) -> str:
    items = {i.id: i for i in record.items}
    rows = (
        ContributionRow(c, items.get(c.item_id) if c.item_id else None, record)
        for c in record.contributions
    )
    return write_csv(
        [name for name, _ in CONTRIBUTION_COLUMNS],
        ([value(r) for _, value in CONTRIBUTION_COLUMNS] for r in rows),
    )


# ---- staff exports ----------------------------------------------------------------------------

AREA_COLUMNS = ("area", "submissions", "published", "pending", "rejected", "hidden")
MODERATION_LOG_COLUMNS = ("id", "at", "actor", "action", "contribution_id", "reason")


def areas_csv(totals: Sequence[dict[str, Any]]) -> str:
    return write_csv(AREA_COLUMNS, ([t[c] for c in AREA_COLUMNS] for t in totals))


def moderation_log_csv(entries: Sequence[dict[str, Any]], *, participant: bool) -> str:
    """The moderation log, oldest first; the participant's pseudonym only for those who
    moderate (as on the audit page)."""
    columns = (*MODERATION_LOG_COLUMNS, "participant") if participant else MODERATION_LOG_COLUMNS
    return write_csv(columns, ([e[c] for c in columns] for e in entries))

"""Search across a council's meetings: published contributions and agenda items, with the
database's own full-text search (FTS5 on SQLite, tsvector on PostgreSQL; alembic 0010_search.py
keeps the index). Only published text is ever indexed, so nothing else can be found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import AgendaItem, Contribution, ContributionStatus, Meeting

QUERY_MAX_CHARS = 200
LIMIT = 50
_WORDS = re.compile(r"\w+", re.UNICODE)
# Every word required (plainto_tsquery ANDs them), best match first. The expressions are the
# ones 0010_search.py indexes, so PostgreSQL uses those indexes.
POSTGRES_SEARCH = (
    "SELECT kind, ref_id FROM ("
    " SELECT 'c' AS kind, c.id AS ref_id,"
    " ts_rank(to_tsvector('simple', c.body), plainto_tsquery('simple', :q)) AS rank"
    " FROM contributions c JOIN meetings m ON m.id = c.meeting_id"
    " WHERE c.status = 'published' AND m.council_id = :council"
    " AND to_tsvector('simple', c.body) @@ plainto_tsquery('simple', :q)"
    " UNION ALL"
    " SELECT 'i', i.id, ts_rank(to_tsvector('simple', i.number || ' ' || i.title || ' ' ||"
    " i.description), plainto_tsquery('simple', :q))"
    " FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id"
    " WHERE m.council_id = :council AND to_tsvector('simple', i.number || ' ' || i.title ||"
    " ' ' || i.description) @@ plainto_tsquery('simple', :q)"
    ") hits ORDER BY rank DESC, ref_id LIMIT :limit"
)


@dataclass(frozen=True)
class Hit:
    kind: str  # "item" or "contribution"
    meeting_id: int
    meeting_title: str
    starts_at: datetime
    item_id: int | None
    item_label: str | None  # "5a Library opening hours"
    contribution_kind: str | None  # comment, question, post
    body: str


def words(query: str) -> list[str]:
    """The query's words: what both databases match, as words (no operators, so nothing a
    resident or councillor types can be a syntax error)."""
    return _WORDS.findall(query[:QUERY_MAX_CHARS])[:20]


async def search(session: AsyncSession, council_id: int, query: str) -> list[Hit]:
    terms = words(query)
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        # Each word quoted (FTS5 phrase syntax), all of them required.
        match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        found = await session.execute(
            text(
                "SELECT s.kind, s.ref_id FROM search_index s"
                " JOIN meetings m ON m.id = s.meeting_id"
                " WHERE search_index MATCH :q AND m.council_id = :council"
                " ORDER BY s.rank LIMIT :limit"
            ),
            {"q": match, "council": council_id, "limit": LIMIT},
        )
        refs = [(str(k), int(r)) for k, r in found]
    else:
        found = await session.execute(
            text(POSTGRES_SEARCH),
            {"q": " ".join(terms), "council": council_id, "limit": LIMIT},
        )
        refs = [(str(k), int(r)) for k, r in found]
    return await _hits(session, refs)


async def _hits(session: AsyncSession, refs: list[tuple[str, int]]) -> list[Hit]:
    c_ids = [r for k, r in refs if k == "c"]
    i_ids = [r for k, r in refs if k == "i"]
    by_ref: dict[tuple[str, int], Hit] = {}
    if c_ids:
        rows = await session.execute(
            select(Contribution, Meeting, AgendaItem)
            .join(Meeting, Meeting.id == Contribution.meeting_id)
            .outerjoin(AgendaItem, AgendaItem.id == Contribution.item_id)
            .where(
                Contribution.id.in_(c_ids),
                Contribution.status == ContributionStatus.PUBLISHED.value,
            )
        )
        for c, m, i in rows:
            by_ref[("c", c.id)] = Hit(
                "contribution",
                m.id,
                m.title,
                m.starts_at,
                i.id if i else None,
                _label(i),
                c.kind,
                c.body,
            )
    if i_ids:
        rows_i = await session.execute(
            select(AgendaItem, Meeting)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.id.in_(i_ids))
        )
        for i, m in rows_i:
            by_ref[("i", i.id)] = Hit(
                "item", m.id, m.title, m.starts_at, i.id, _label(i), None, i.description
            )
    return [by_ref[r] for r in refs if r in by_ref]


def _label(item: AgendaItem | None) -> str | None:
    return f"{item.number} {item.title}".strip() if item is not None else None

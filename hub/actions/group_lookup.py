"""What a group of residents' submissions must know before it is stored, in one round trip.

A group (hub/intake.py) asked four questions of the database, each its own statement: which
of these (participant, token) pairs are retries of stored submissions, which of these
participants are blocked in the meeting, which of these bodies the meeting already has (the
screening's repeat check), and which item is being discussed. Each statement is a round trip
and, under SQLAlchemy and asyncpg, some 200 µs of the process's CPU; in a burst a group
commits every few milliseconds, so those fixed costs were a third of what a submission cost
(bench/RESULTS.md, issue 14). Here they are one ``UNION ALL``, each branch tagged.

The lists are bound as one parameter each: ``= ANY(:array)`` on PostgreSQL, so the statement's
text is the same whatever the group's size and asyncpg prepares it once per connection (an
``IN`` list of each length was a new statement, prepared again and again: its prepared
statement cache holds 100); an expanding ``IN`` on SQLite, which compiles statements cheaply
and keeps its own cache. The statement is built once per dialect: SQLAlchemy memoises the
cache key of a statement object, not of a rebuilt one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    String,
    any_,
    bindparam,
    cast,
    false,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import AgendaItem, Contribution, ItemStatus, ParticipantBlock


@dataclass(frozen=True)
class Known:
    """The answers, for one meeting."""

    # (participant, client token) -> id of the submission already stored with that token.
    retried: dict[tuple[str, str], int]
    blocked: frozenset[str]
    # Body keys (hub/screening.py) the meeting already holds.
    repeats: frozenset[str]
    # The item being discussed, None between items (only public items take submissions).
    current_item: int | None


def _among(column: Any, name: str, postgres: bool) -> ColumnElement[bool]:
    clause: ColumnElement[bool]
    if postgres:
        clause = column == any_(bindparam(name, type_=ARRAY(String)))
    else:
        clause = column.in_(bindparam(name, expanding=True))
    return clause


def _statement(postgres: bool) -> CompoundSelect[Any]:
    c, b, i = Contribution, ParticipantBlock, AgendaItem
    meeting: BindParameter[int] = bindparam("meeting_id", type_=Integer)
    # Typed: PostgreSQL gives an untyped NULL under DISTINCT the type text, then refuses to
    # unite it with the first branch's integer.
    no_id, no_text = cast(null(), Integer), cast(null(), String)
    return union_all(
        # Retries: the two lists may pair up more than was sent; the caller keeps exact pairs.
        select(
            literal_column("'t'").label("what"),
            c.id.label("n"),
            c.participant_id.label("a"),
            c.client_token.label("b"),
        ).where(
            c.meeting_id == meeting,
            _among(c.participant_id, "participants", postgres),
            _among(c.client_token, "tokens", postgres),
        ),
        select(literal_column("'k'"), no_id, c.body_key, no_text)
        .where(c.meeting_id == meeting, _among(c.body_key, "keys", postgres))
        .distinct(),
        select(literal_column("'b'"), no_id, b.participant_id, no_text).where(
            b.meeting_id == meeting, _among(b.participant_id, "participants", postgres)
        ),
        select(literal_column("'i'"), i.id, no_text, no_text).where(
            i.meeting_id == meeting,
            i.status == ItemStatus.CURRENT.value,
            i.private.is_(false()),
        ),
    )


_STATEMENTS: dict[bool, CompoundSelect[Any]] = {}


async def look_up(
    session: AsyncSession,
    meeting_id: int,
    pairs: Iterable[tuple[str, str]],
    keys: Iterable[str],
) -> Known:
    """The answers for these (participant, token) pairs and body keys, in one statement."""
    pairs = set(pairs)
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _STATEMENTS.get(postgres)
    if statement is None:
        statement = _STATEMENTS[postgres] = _statement(postgres)
    conn = await session.connection()
    rows = await conn.execute(
        statement,
        {
            "meeting_id": meeting_id,
            "participants": sorted({p for p, _t in pairs}),
            "tokens": sorted({t for _p, t in pairs}),
            "keys": sorted(set(keys)),
        },
    )
    retried: dict[tuple[str, str], int] = {}
    blocked: set[str] = set()
    repeats: set[str] = set()
    current: int | None = None
    for what, n, a, b in rows:
        if what == "t" and (a, b) in pairs:
            retried[(a, b)] = int(n)
        elif what == "k":
            repeats.add(a)
        elif what == "b":
            blocked.add(a)
        elif what == "i":
            current = int(n)
    return Known(retried, frozenset(blocked), frozenset(repeats), current)

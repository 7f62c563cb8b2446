"""Full-text search over a council's meetings (hub/queries/search.py): published contributions
and agenda items, with the database's own search.

- SQLite: an FTS5 table ``search_index`` kept by triggers on ``contributions`` and
  ``agenda_items``, so it always holds exactly the published text (a takedown, an erasure or a
  retention purge changes the row, and the trigger drops or re-indexes it in the same
  transaction). ``unicode61`` with diacritics removed: "Siân" is found by "sian", which Welsh
  text needs.
- PostgreSQL: GIN indexes on ``to_tsvector('simple', ...)`` of the same text ('simple': no
  stemming, which has no Welsh dictionary to stem with and would treat the two languages
  differently), queried with ``websearch_to_tsquery``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What is searchable: a published comment, question or post; an item's number, title and text.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "kind UNINDEXED, ref_id UNINDEXED, meeting_id UNINDEXED, body,"
    " tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_c_insert AFTER INSERT ON contributions"
    " WHEN new.status = 'published' BEGIN"
    " INSERT INTO search_index (kind, ref_id, meeting_id, body)"
    " VALUES ('c', new.id, new.meeting_id, new.body); END",
    "CREATE TRIGGER search_c_update AFTER UPDATE OF status, body ON contributions BEGIN"
    " DELETE FROM search_index WHERE kind = 'c' AND ref_id = old.id;"
    " INSERT INTO search_index (kind, ref_id, meeting_id, body)"
    " SELECT 'c', new.id, new.meeting_id, new.body WHERE new.status = 'published'; END",
    "CREATE TRIGGER search_c_delete AFTER DELETE ON contributions BEGIN"
    " DELETE FROM search_index WHERE kind = 'c' AND ref_id = old.id; END",
    "CREATE TRIGGER search_i_insert AFTER INSERT ON agenda_items BEGIN"
    " INSERT INTO search_index (kind, ref_id, meeting_id, body) VALUES ('i', new.id,"
    " new.meeting_id, new.number || ' ' || new.title || ' ' || new.description); END",
    "CREATE TRIGGER search_i_update AFTER UPDATE OF number, title, description ON agenda_items"
    " BEGIN DELETE FROM search_index WHERE kind = 'i' AND ref_id = old.id;"
    " INSERT INTO search_index (kind, ref_id, meeting_id, body) VALUES ('i', new.id,"
    " new.meeting_id, new.number || ' ' || new.title || ' ' || new.description); END",
    "CREATE TRIGGER search_i_delete AFTER DELETE ON agenda_items BEGIN"
    " DELETE FROM search_index WHERE kind = 'i' AND ref_id = old.id; END",
    "INSERT INTO search_index (kind, ref_id, meeting_id, body)"
    " SELECT 'c', id, meeting_id, body FROM contributions WHERE status = 'published'",
    "INSERT INTO search_index (kind, ref_id, meeting_id, body)"
    " SELECT 'i', id, meeting_id, number || ' ' || title || ' ' || description FROM agenda_items",
]
SQLITE_DOWN = [
    *(
        f"DROP TRIGGER IF EXISTS search_{t}"
        for t in ("c_insert", "c_update", "c_delete", "i_insert", "i_update", "i_delete")
    ),
    "DROP TABLE IF EXISTS search_index",
]
POSTGRES_UP = [
    "CREATE INDEX ix_contributions_search ON contributions"
    " USING gin (to_tsvector('simple', body)) WHERE status = 'published'",
    "CREATE INDEX ix_agenda_items_search ON agenda_items USING gin"
    " (to_tsvector('simple', number || ' ' || title || ' ' || description))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_agenda_items_search",
    "DROP INDEX IF EXISTS ix_contributions_search",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)

"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from alembic import command
from hub.actions.councils import create_council
from hub.actions.meetings import create_meeting
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import Writer
from hub.migrate import alembic_config, upgrade
from hub.models import Base
from tests.services import run_sync


def _diff(url: str) -> list[Any]:
    async def compare() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:

                def run(sync_conn: Connection) -> list[Any]:
                    context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                    return list(compare_metadata(context, Base.metadata))

                return await conn.run_sync(run)
        finally:
            await engine.dispose()

    return run_sync(compare)


def _tables(url: str) -> set[str]:
    async def tables() -> set[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    return run_sync(tables)


def test_migrated_schema_matches_models(db_url: str) -> None:
    # db_url was built by running every migration (see conftest).
    assert _diff(db_url) == []
    assert set(Base.metadata.tables) <= _tables(db_url)


def test_downgrade_then_upgrade_round_trips(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "base")
    assert not (set(Base.metadata.tables) & _tables(db_url))
    upgrade(db_url)
    assert _diff(db_url) == []


def test_0004_keeps_who_moderated(db_url: str) -> None:
    """0004 drops a column of staff_users in place: rebuilding the table (SQLite's batch mode)
    would run the ON DELETE SET NULL of every row naming a staff member."""
    command.downgrade(alembic_config(db_url), "0003")

    async def before() -> None:
        engine = create_engine(db_url)
        try:
            async with create_sessionmaker(engine)() as session:
                w = Writer(session)
                await create_council(w, slug="aberglas", name="Aberglas")
                meeting = await create_meeting(
                    w,
                    council_slug="aberglas",
                    title="Cabinet",
                    body_name="Cabinet",
                    starts_at=datetime(2026, 11, 23, 18, 30, tzinfo=UTC),
                    items=[],
                )
                await session.execute(
                    text(
                        "INSERT INTO staff_users (id, email, display_name, password_hash, role,"
                        " council_id, is_active, session_version, created_at) VALUES (7,"
                        " 'clerk@aberglas.invalid', 'Clerk', 'x', 'clerk', NULL, true, 3, :now)"
                    ),
                    {"now": datetime.now(UTC).replace(tzinfo=None)},
                )
                await session.execute(
                    text(
                        "INSERT INTO participant_blocks (meeting_id, participant_id, blocked_by,"
                        " created_at) VALUES (:mid, 'p1', 7, :now)"
                    ),
                    {"mid": meeting.id, "now": datetime.now(UTC).replace(tzinfo=None)},
                )
                await session.commit()
        finally:
            await engine.dispose()

    async def blocked_by() -> list[Any]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text("SELECT blocked_by FROM participant_blocks"))
                return [r[0] for r in rows]
        finally:
            await engine.dispose()

    run_sync(before)
    upgrade(db_url)
    assert run_sync(blocked_by) == [7]
    assert _diff(db_url) == []

"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from alembic import command
from hub.db import create_engine
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

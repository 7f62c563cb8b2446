"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from alembic import command
from hub.actions.councils import OGL_NAME, OGL_URL
from hub.db import create_engine, create_sessionmaker
from hub.migrate import alembic_config, upgrade
from hub.models import Base
from hub.models.base import in_models
from tests.services import run_sync


def _diff(url: str) -> list[Any]:
    async def compare() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:

                def run(sync_conn: Connection) -> list[Any]:
                    context = MigrationContext.configure(
                        sync_conn, opts={"compare_type": True, "include_name": in_models}
                    )
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


def test_event_subjects_are_filled_in_for_events_logged_before(db_url: str) -> None:
    """0004 names the contribution of every event logged before it, so a takedown after the
    upgrade still finds (and redacts) the text of a comment published before it."""
    from sqlalchemy import text

    command.downgrade(alembic_config(db_url), "0003")
    published = '{"seq":1,"type":"contribution.published","at":"2026-12-01T19:00:00.000Z",'
    published += '"data":{"contribution":{"id":7,"body":"hello"}}}'
    removed = '{"seq":2,"type":"contribution.removed","at":"2026-12-01T19:01:00.000Z",'
    removed += '"data":{"id":7}}'
    opened = '{"seq":3,"type":"meeting.updated","at":"2026-12-01T19:02:00.000Z","data":{}}'

    async def seed_and_read(upgraded: bool) -> list[tuple[int, Any]]:
        engine = create_engine(db_url)
        try:
            async with engine.begin() as conn:
                if not upgraded:
                    await conn.execute(
                        text(
                            "INSERT INTO councils (slug, name, timezone, default_language, "
                            "created_at, moderation, submissions_open, close_items_when_done, "
                            "max_chars, max_links, blocklist, rejection_reasons, "
                            "rate_per_participant, rate_per_address) VALUES ('c', 'C', "
                            "'Europe/London', 'en', '2026-12-01 18:00:00+00', 'pre', "
                            "'publication', true, 1000, 1, '', '', 5, 30)"
                        )
                    )
                    await conn.execute(
                        text(
                            "INSERT INTO meetings (council_id, title, body_name, starts_at, "
                            "location, status, last_seq, first_seq, created_at, updated_at) "
                            "VALUES (1, 'M', 'M', '2026-12-01 18:00:00+00', '', 'live', 3, 1, "
                            "'2026-12-01 18:00:00+00', '2026-12-01 18:00:00+00')"
                        )
                    )
                    for seq, (kind, envelope) in enumerate(
                        [
                            ("contribution.published", published),
                            ("contribution.removed", removed),
                            ("meeting.updated", opened),
                        ],
                        start=1,
                    ):
                        await conn.execute(
                            text(
                                "INSERT INTO meeting_events (meeting_id, seq, type, audience, "
                                "at, envelope) VALUES (1, :seq, :kind, 'public', "
                                "'2026-12-01 19:00:00+00', :envelope)"
                            ),
                            {"seq": seq, "kind": kind, "envelope": envelope},
                        )
                    return []
                rows = await conn.execute(
                    text("SELECT seq, subject FROM meeting_events ORDER BY seq")
                )
                return [(int(r[0]), r[1]) for r in rows]
        finally:
            await engine.dispose()

    run_sync(lambda: seed_and_read(False))
    upgrade(db_url)
    assert run_sync(lambda: seed_and_read(True)) == [(1, 7), (2, 7), (3, None)]


def test_0006_keeps_who_moderated(db_url: str) -> None:
    """0006 drops a column of staff_users in place: rebuilding the table (SQLite's batch mode)
    would run the ON DELETE SET NULL of every row naming a staff member."""
    command.downgrade(alembic_config(db_url), "0005")

    async def before() -> None:
        engine = create_engine(db_url)
        try:
            async with create_sessionmaker(engine)() as session:
                # The council and meeting in SQL, as 0005 knew them: today's models have columns
                # added since.
                await session.execute(
                    text(
                        "INSERT INTO councils (slug, name, timezone, default_language, created_at,"
                        " moderation, submissions_open, close_items_when_done, max_chars,"
                        " max_links, blocklist, rejection_reasons, rate_per_participant,"
                        " rate_per_address, retention_days, privacy_notice) VALUES ('aberglas',"
                        " 'Aberglas', 'Europe/London', 'en', :now, 'pre', 'publication', true,"
                        " 1000, 1, '', '', 5, 30, 365, '')"
                    ),
                    {"now": datetime.now(UTC).replace(tzinfo=None)},
                )
                meeting_id = (
                    await session.execute(
                        text(
                            "INSERT INTO meetings (council_id, title, body_name, starts_at,"
                            " location, status, last_seq, first_seq, created_at, updated_at)"
                            " SELECT id, 'Cabinet', 'Cabinet', :now, '', 'scheduled', 0, 1,"
                            " :now, :now FROM councils RETURNING id"
                        ),
                        {"now": datetime.now(UTC).replace(tzinfo=None)},
                    )
                ).scalar_one()
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
                    {"mid": meeting_id, "now": datetime.now(UTC).replace(tzinfo=None)},
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


def test_0012_gives_uk_councils_the_open_government_licence(db_url: str) -> None:
    """Councils that were there before the licence column: one in a UK time zone publishes
    under the OGL v3.0, as a new one would; one elsewhere states none until an admin sets it.
    Neither loses a meeting (the column is added in place, not by rebuilding the table)."""
    command.downgrade(alembic_config(db_url), "0011")
    now = datetime.now(UTC).replace(tzinfo=None)

    async def before() -> None:
        engine = create_engine(db_url)
        try:
            async with engine.begin() as conn:
                for slug, zone in (
                    ("aberglas", "Europe/London"),
                    ("springfield", "America/Chicago"),
                ):
                    council_id = (
                        await conn.execute(
                            text(
                                "INSERT INTO councils (slug, name, timezone, default_language,"
                                " created_at, moderation, submissions_open,"
                                " close_items_when_done, max_chars, max_links, blocklist,"
                                " rejection_reasons, rate_per_participant, rate_per_address,"
                                " retention_days, privacy_notice) VALUES (:slug, :slug, :zone,"
                                " 'en', :now, 'pre', 'publication', true, 1000, 1, '', '', 5,"
                                " 30, 365, '') RETURNING id"
                            ),
                            {"slug": slug, "zone": zone, "now": now},
                        )
                    ).scalar_one()
                    await conn.execute(
                        text(
                            "INSERT INTO meetings (council_id, title, body_name, starts_at,"
                            " location, status, last_seq, first_seq, created_at, updated_at,"
                            " status_version, spotlight_pinned) VALUES (:c, 'Cabinet',"
                            " 'Cabinet', :now, '', 'scheduled', 0, 1, :now, :now, 0, false)"
                        ),
                        {"c": council_id, "now": now},
                    )
        finally:
            await engine.dispose()

    async def after() -> list[Any]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text(
                        "SELECT slug, licence_name, licence_url, (SELECT count(*) FROM meetings"
                        " WHERE council_id = councils.id) FROM councils ORDER BY slug"
                    )
                )
                return [tuple(r) for r in rows]
        finally:
            await engine.dispose()

    run_sync(before)
    upgrade(db_url)
    assert run_sync(after) == [("aberglas", OGL_NAME, OGL_URL, 1), ("springfield", "", "", 1)]
    assert _diff(db_url) == []


def test_0015_turns_each_role_into_a_membership_without_loss(db_url: str) -> None:
    """Each account's one role and council become a membership (an admin: a deployment
    admin, and its council's admin when it named one); sessions and who-blocked-whom stay
    (staff_users is altered in place, not rebuilt); downgrading gives the roles back."""
    from hub.models import Council

    command.downgrade(alembic_config(db_url), "0014")
    now = datetime.now(UTC).replace(tzinfo=None)
    accounts = [  # id, email, role, council slug
        (1, "admin@hub.invalid", "admin", None),
        (2, "clerk@a.invalid", "clerk", "a"),
        (3, "councillor@b.invalid", "councillor", "b"),
        (4, "admin@a.invalid", "admin", "a"),
    ]

    async def before() -> None:
        engine = create_engine(db_url)
        try:
            async with create_sessionmaker(engine)() as session:
                # councils is as 0014 left it: the model writes it.
                ids = {}
                for slug in ("a", "b"):
                    council = Council(slug=slug, name=slug.upper())
                    session.add(council)
                    await session.flush()
                    ids[slug] = council.id
                for user_id, email, role, slug in accounts:
                    await session.execute(
                        text(
                            "INSERT INTO staff_users (id, email, display_name, password_hash,"
                            " role, council_id, is_active, created_at) VALUES (:id, :email,"
                            " :email, 'x', :role, :council, true, :now)"
                        ),
                        {
                            "id": user_id,
                            "email": email,
                            "role": role,
                            "council": ids[slug] if slug else None,
                            "now": now,
                        },
                    )
                await session.execute(
                    text(
                        "INSERT INTO staff_sessions (id_hash, user_id, created_at, last_seen_at,"
                        " expires_at) VALUES ('h', 2, :now, :now, :now)"
                    ),
                    {"now": now},
                )
                await session.commit()
        finally:
            await engine.dispose()

    async def read(query: str) -> list[tuple[Any, ...]]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return [tuple(r) for r in await conn.execute(text(query))]
        finally:
            await engine.dispose()

    run_sync(before)
    upgrade(db_url)
    assert _diff(db_url) == []
    memberships = run_sync(
        lambda: read(
            "SELECT m.user_id, c.slug, m.role FROM staff_memberships m"
            " JOIN councils c ON c.id = m.council_id ORDER BY m.user_id"
        )
    )
    assert memberships == [(2, "a", "clerk"), (3, "b", "councillor"), (4, "a", "admin")]
    flags = run_sync(
        lambda: read("SELECT id, is_deployment_admin, council_id FROM staff_users ORDER BY id")
    )
    assert [(i, bool(f), c) for i, f, c in flags] == [
        (1, True, None),
        (2, False, None),
        (3, False, None),
        (4, True, None),
    ]
    assert run_sync(lambda: read("SELECT user_id FROM staff_sessions")) == [(2,)]

    command.downgrade(alembic_config(db_url), "0014")
    back = run_sync(
        lambda: read(
            "SELECT u.id, u.role, c.slug FROM staff_users u"
            " LEFT JOIN councils c ON c.id = u.council_id ORDER BY u.id"
        )
    )
    assert back == [
        (1, "admin", None),
        (2, "clerk", "a"),
        (3, "councillor", "b"),
        (4, "admin", "a"),
    ]
    upgrade(db_url)

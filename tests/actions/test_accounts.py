"""Staff account actions: a password change or a deactivation ends the account's sessions at
once (their rows are deleted); a sign-in is recorded; the weakest passwords are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions import Invalid
from hub.actions.accounts import create_user, deactivate, set_password
from hub.broker.memory import MemoryBroker
from hub.events.publish import writing
from hub.models import StaffSession, StaffUser
from tests.support import PASSWORD, RunningServer, Seeded, attempt_sign_in, http_client, sign_in


async def _user(server: RunningServer, email: str) -> StaffUser:
    async with server.services.sessionmaker() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.email == email))
    assert user is not None
    return user


async def _sessions(server: RunningServer, user_id: int) -> list[StaffSession]:
    async with server.services.sessionmaker() as session:
        query = select(StaffSession).where(StaffSession.user_id == user_id)
        return list((await session.execute(query)).scalars())


async def test_sign_in_is_recorded(sqlite_server: RunningServer, sqlite_seeded: Seeded) -> None:
    email = sqlite_seeded.users["clerk"]
    assert (await _user(sqlite_server, email)).last_login_at is None
    clerk = await sign_in(sqlite_server.base_url, email)
    assert (await _user(sqlite_server, email)).last_login_at is not None
    await clerk.http.aclose()


async def test_password_change_and_deactivation_end_sessions(
    sqlite_server: RunningServer, sqlite_seeded: Seeded
) -> None:
    svc = sqlite_server.services
    mid = sqlite_seeded.meeting_id
    for name, change in (
        ("clerk", lambda w, uid: set_password(w, uid, "another long password")),
        ("councillor", lambda w, uid: deactivate(w, uid)),
    ):
        email = sqlite_seeded.users[name]
        staff = await sign_in(sqlite_server.base_url, email)
        page = f"/staff/meetings/{mid}/audit"
        assert (await staff.http.get(page)).status_code == 200
        user = await _user(sqlite_server, email)
        async with writing(svc.sessionmaker, svc.broker) as w:
            await change(w, user.id)
        r = await staff.http.get(page)
        assert r.status_code == 303 and r.headers["location"].startswith("/staff/login"), name
        assert not await _sessions(sqlite_server, user.id), f"{name}: rows of ended sessions"
        await staff.http.aclose()
    # The new password works; the deactivated account cannot sign in at all.
    clerk = await sign_in(
        sqlite_server.base_url, sqlite_seeded.users["clerk"], "another long password"
    )
    await clerk.http.aclose()
    async with http_client(sqlite_server.base_url) as http:
        r = await attempt_sign_in(http, sqlite_seeded.users["councillor"], PASSWORD)
        assert r.status_code == 401


WEAK = ["aaaaaaaaaaaa", " " * 12, "password1234", "qwertyuiop123", "clerk@aberglas.invalid"]


@pytest.mark.parametrize("weak", WEAK)
async def test_the_weakest_passwords_are_refused(
    sessionmaker: async_sessionmaker[AsyncSession], weak: str
) -> None:
    broker = MemoryBroker()

    async def create(password: str) -> StaffUser:
        async with writing(sessionmaker, broker) as w:
            return await create_user(
                w,
                email="clerk@aberglas.invalid",
                display_name="Clerk",
                password=password,
                role="admin",
                council_id=None,
            )

    with pytest.raises(Invalid, match="too easy to guess"):
        await create(weak)
    user = await create(PASSWORD)
    with pytest.raises(Invalid, match="too easy to guess"):
        async with writing(sessionmaker, broker) as w:
            await set_password(w, user.id, weak)

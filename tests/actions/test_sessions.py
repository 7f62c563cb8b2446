"""Staff session actions: a row per signed-in browser (holding the id's hash, never the id),
refused once expired, purged, its last-seen time kept roughly current."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

from itsdangerous import TimestampSigner
from sqlalchemy import select, text

from hub.actions.sessions import purge_expired
from hub.app import SESSION_COOKIE
from hub.events.publish import writing
from hub.models import StaffSession, utcnow
from tests.support import CSRF_RE, PASSWORD, RunningServer, Seeded, StaffClient, sign_in


def _session_id(server: RunningServer, staff: StaffClient) -> str:
    """The session id inside the signed cookie, read as Starlette's SessionMiddleware wrote it."""
    signer = TimestampSigner(server.services.settings.secret_key)
    payload = signer.unsign(staff.http.cookies[SESSION_COOKIE])
    sid: str = json.loads(base64.b64decode(payload))["sid"]
    return sid


async def _rows(server: RunningServer) -> list[StaffSession]:
    async with server.services.sessionmaker() as session:
        return list((await session.execute(select(StaffSession))).scalars())


async def _sql(server: RunningServer, statement: str, **params: object) -> None:
    # Time travel for the test: the rows as they will be hours from now.
    async with server.services.sessionmaker() as session:
        await session.execute(text(statement), params)
        await session.commit()


async def test_a_session_is_a_row_holding_a_hash(server: RunningServer, seeded: Seeded) -> None:
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    [row] = await _rows(server)
    sid = _session_id(server, clerk)
    assert row.id_hash == hashlib.sha256(sid.encode()).hexdigest() != sid
    assert row.user_agent is not None and row.user_agent.startswith("python-httpx/")
    assert timedelta(hours=11.9) < row.expires_at - row.created_at <= timedelta(hours=12)
    # Signing in again in the same browser replaces its session rather than adding one.
    r = await clerk.http.post(
        "/staff/login",
        data={"email": seeded.users["clerk"], "password": PASSWORD, "csrf_token": clerk.csrf},
    )
    assert r.status_code == 303
    [again] = await _rows(server)
    assert again.id_hash != row.id_hash
    token = CSRF_RE.search((await clerk.http.get("/staff/")).text)
    assert token
    r = await clerk.http.post("/staff/logout", data={"csrf_token": token.group(1)})
    assert r.status_code == 303 and await _rows(server) == []
    await clerk.http.aclose()


async def test_an_expired_session_is_refused_and_purged(
    server: RunningServer, seeded: Seeded
) -> None:
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    colleague = await sign_in(server.base_url, seeded.users["councillor"])
    assert (await clerk.http.get("/staff/")).status_code == 200
    await _sql(
        server,
        "UPDATE staff_sessions SET expires_at = :past WHERE id_hash = :key",
        past=utcnow() - timedelta(seconds=1),
        key=hashlib.sha256(_session_id(server, clerk).encode()).hexdigest(),
    )
    r = await clerk.http.get("/staff/")
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login")
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        assert await purge_expired(w) == 1
    assert len(await _rows(server)) == 1  # the colleague's, still valid
    assert (await colleague.http.get("/staff/")).status_code == 200
    await clerk.http.aclose()
    await colleague.http.aclose()


async def test_last_seen_is_written_every_few_minutes(
    server: RunningServer, seeded: Seeded
) -> None:
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    [signed_in] = await _rows(server)
    await clerk.http.get("/staff/")
    [row] = await _rows(server)
    assert row.last_seen_at == signed_in.last_seen_at  # moments ago: not written again
    an_hour_ago = utcnow() - timedelta(hours=1)
    await _sql(server, "UPDATE staff_sessions SET last_seen_at = :t", t=an_hour_ago)
    await clerk.http.get(f"/staff/meetings/{seeded.meeting_id}")
    [row] = await _rows(server)
    assert row.last_seen_at > utcnow() - timedelta(minutes=1)
    await clerk.http.aclose()

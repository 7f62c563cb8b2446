"""Security headers on every response, the server's own 500s included, and staff pages that no
browser or proxy keeps a copy of."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import settings_for
from tests.support import CSRF_RE, RunningServer, Seeded, http_client, run_server, sign_in

SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options")


async def test_staff_pages_are_not_stored(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    pages = [
        "/staff/",
        f"/staff/meetings/{mid}",
        f"/staff/meetings/{mid}/moderation",
        f"/staff/meetings/{mid}/audit",
        f"/staff/meetings/{mid}/review",
        f"/staff/api/meetings/{mid}",
        f"/staff/api/meetings/{mid}/moderation",
    ]
    for path in pages:
        r = await clerk.http.get(path)
        assert r.status_code == 200, path
        assert r.headers.get("cache-control") == "no-store", path
    r = await clerk.post(f"/staff/meetings/{mid}/status", {"action": "open"})
    assert r.status_code == 200 and r.headers.get("cache-control") == "no-store"
    await clerk.http.aclose()
    async with http_client(server.base_url) as http:
        assert (await http.get("/staff/login")).headers.get("cache-control") == "no-store"
        # The open data stays cacheable.
        public = await http.get(f"/api/meetings/{mid}")
        assert "no-store" not in public.headers.get("cache-control", "")


def _unmigrated(tmp_path: Path) -> str:
    """A database with no tables: every read fails, so the routes that read answer 500."""
    return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"


async def test_a_server_error_carries_the_security_headers(tmp_path: Path) -> None:
    async with (
        run_server(settings_for(_unmigrated(tmp_path))) as server,
        http_client(server.base_url) as http,
    ):
        r = await http.get("/")
        assert r.status_code == 500
        for name in SECURITY:
            assert name in r.headers, name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "strict-transport-security" not in r.headers  # plain http: no HSTS
        # A staff route's 500 is not stored either.
        token = CSRF_RE.search((await http.get("/staff/login")).text)
        assert token
        r = await http.post(
            "/staff/login",
            data={"email": "a@b.invalid", "password": "whatever", "csrf_token": token.group(1)},
        )
        assert r.status_code == 500
        assert r.headers.get("cache-control") == "no-store"
        assert "content-security-policy" in r.headers


async def test_a_server_error_carries_hsts_under_https_only(tmp_path: Path) -> None:
    settings = settings_for(_unmigrated(tmp_path), https_only=True)
    async with run_server(settings) as server, http_client(server.base_url) as http:
        r = await http.get("/")
        assert r.status_code == 500
        assert r.headers["strict-transport-security"].startswith("max-age=")
        assert "content-security-policy" in r.headers

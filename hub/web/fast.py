"""The answers that need none of the app's middleware: static files and the health check.

A stylesheet or a load balancer's probe went through the security-headers middleware, the
session middleware (which parses the cookie), the language middleware, the body limit, then
Starlette's router over every route: ~2.5 ms of CPU for a stylesheet, ~2 ms for /healthz with its
database round trip (issue 14). ``FastPaths`` sits outside all of that (hub/app.py) and answers
``GET``/``HEAD`` of a known static file (hub/web/assets.py), ``/healthz`` itself, and a plain
``GET`` of a snapshot or a first visit's page that is already rendered and still current
(hub/web/shared.py: the route renders it, this serves the copies), with the same security
headers made once. Everything else, including a static path that names no file (the app's own
404 page) and any request that needs a session, a participant or a language choice to be
answered, goes on to the app unchanged.

/healthz asks the database at most once a second (``HealthProbe``): a balancer polling every
few seconds sees a fresh answer, and a thousand probes a second (or a crowd) cost one query a
second, not a thousand. Concurrent probes share the one query in flight.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.web.assets import IMMUTABLE, REVALIDATE, Asset, Assets
from hub.web.security import add_missing, security_headers

# How long a database answer serves /healthz: a second, so a failure shows within one.
HEALTH_FRESH_S = 1.0
Headers = list[tuple[bytes, bytes]]


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


def accepts_gzip(accept_encoding: bytes) -> bool:
    for part in accept_encoding.lower().split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding.strip() in (b"gzip", b"*"):
            q = params.strip()
            return not (q.startswith(b"q=") and float(q[2:] or b"0") == 0)
    return False


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 weak comparison: any listed tag (W/ or not) equal to ours, or ``*``."""
    for tag in if_none_match.split(b","):
        tag = tag.strip()
        if tag == b"*" or tag.removeprefix(b"W/") == etag:
            return True
    return False


class HealthProbe:
    def __init__(self) -> None:
        self.ok = False
        self.at = -HEALTH_FRESH_S
        self._inflight: asyncio.Task[bool] | None = None

    async def database_ok(self, services: Any) -> bool:
        if time.monotonic() - self.at < HEALTH_FRESH_S:
            return self.ok
        if self._inflight is None:
            self._inflight = asyncio.create_task(self._probe(services))
        return await asyncio.shield(self._inflight)

    async def _probe(self, services: Any) -> bool:
        try:
            async with services.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            ok = True
        except Exception:
            ok = False
        self.ok, self.at, self._inflight = ok, time.monotonic(), None
        return ok


class FastPaths:
    def __init__(self, app: ASGIApp, assets: Assets, hsts: bool) -> None:
        self.app = app
        self.assets = assets
        self.security = security_headers(hsts)
        self.health = HealthProbe()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if path == "/healthz":
                services = getattr(scope["app"].state, "services", None)
                if services is not None:
                    await self._health(scope, send, services)
                    return
            elif path.startswith("/static/"):
                found = self.assets.find(path)
                if found is not None:
                    await self._static(scope, send, *found)
                    return
            elif scope["method"] == "GET":
                state = scope["app"].state
                shared = getattr(state, "shared", None)
                services = getattr(state, "services", None)
                if shared is not None and services is not None:
                    answer = await shared.fast_answer(scope, services, state.settings)
                    if answer is not None:
                        add_missing(answer.raw_headers, self.security)
                        await answer(scope, receive, send)
                        return
        await self.app(scope, receive, send)

    async def _health(self, scope: Scope, send: Send, services: Any) -> None:
        if await self.health.database_ok(services):
            status = 200
            channels = services.streams.channels
            body = json.dumps(
                {
                    "status": "ok",
                    "live_meetings": len(channels),
                    "live_sockets": sum(c.connection_count() for c in channels.values()),
                }
            ).encode()
        else:
            status = 503
            body = b'{"status": "error", "database": "unreachable"}'
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *self.security,
        ]
        await _answer(scope, send, status, headers, body)

    async def _static(self, scope: Scope, send: Send, asset: Asset, immutable: bool) -> None:
        gz = asset.gzipped is not None and accepts_gzip(_header(scope, b"accept-encoding"))
        body = asset.gzipped if gz and asset.gzipped is not None else asset.body
        etag = asset.etag[:-1] + b'-gz"' if gz else asset.etag
        headers = [
            (b"content-type", asset.content_type),
            (b"etag", etag),
            (b"cache-control", IMMUTABLE if immutable else REVALIDATE),
            *self.security,
        ]
        if asset.gzipped is not None:
            headers.append((b"vary", b"Accept-Encoding"))
        if gz:
            headers.append((b"content-encoding", b"gzip"))
        if etag_matches(_header(scope, b"if-none-match"), etag):
            await _answer(scope, send, 304, headers, b"")
            return
        headers.append((b"content-length", str(len(body)).encode()))
        await _answer(scope, send, 200, headers, body)


async def _answer(scope: Scope, send: Send, status: int, headers: Headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

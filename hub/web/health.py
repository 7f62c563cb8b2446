"""Health check for load balancers: the database answers and the broker is reachable."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.web import services


async def health(request: Request) -> Response:
    svc = services(request)
    try:
        async with svc.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse(
        {
            "status": "ok",
            "live_meetings": len(svc.streams.channels),
            "live_sockets": sum(c.connection_count() for c in svc.streams.channels.values()),
        }
    )


routes = [Route("/healthz", health)]

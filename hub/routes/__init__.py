"""HTTP and WebSocket routes: parse and authorise, then call an action or a query."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from hub.services import Services


def services(conn: HTTPConnection) -> Services:
    svc: Services = conn.app.state.services
    return svc


def json_error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def parse_seq(raw: str | None) -> int | None:
    """A non-negative seq from a query string, or None if malformed."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)

"""HTTP and WebSocket routes: parse and authorise, then call an action or a query."""

from __future__ import annotations

from typing import Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from hub.actions import MAX_ID
from hub.services import Services


class IdConvertor(Convertor[int]):
    """``{name:id}`` in a route: a row id. A number past the id columns' range becomes 0, which
    names no row (the route answers 404), instead of reaching the database, which would raise."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


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

"""A local fake API over real HTTP (Starlette under uvicorn on 127.0.0.1) for the social sources.

Each test says what each path answers (`fake.on(path, handler)`) and reads what arrived
(`fake.requests`), so it can count logins, read query strings and check tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support import free_port, serving

SAMPLES = Path(__file__).parent.parent / "samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


Handler = Callable[[Seen], Awaitable[Response] | Response]


class FakeApi:
    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.requests: list[Seen] = []
        self.base_url = ""

    def on(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler

    def answer(self, path: str, *responses: Response) -> None:
        """Answer `path` with these responses in turn, then the last one again."""
        queue = list(responses)

        def handler(_: Seen) -> Response:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.on(path, handler)

    def to(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    async def _endpoint(self, request: Request) -> Response:
        seen = Seen(
            request.method,
            request.url.path,
            list(request.query_params.multi_items()),
            {k.lower(): v for k, v in request.headers.items()},
            await request.body(),
        )
        self.requests.append(seen)
        handler = self.handlers.get(seen.path)
        if handler is None:
            return JSONResponse({"error": "no such route in the fake"}, status_code=404)
        result = handler(seen)
        if isinstance(result, Response):
            return result
        return await result


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def malformed() -> Response:
    return Response('{"data": [', media_type="application/json")


def slow(seconds: float) -> Handler:
    async def handler(_: Seen) -> Response:
        await asyncio.sleep(seconds)
        return json_response({})

    return handler


@contextlib.asynccontextmanager
async def serve() -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    app = Starlette(
        routes=[Route("/{path:path}", fake._endpoint, methods=["GET", "POST"])],
    )
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    async with serving(config):
        fake.base_url = f"http://127.0.0.1:{port}"
        yield fake

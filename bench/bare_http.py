"""The ingest scenario's second reference: one transaction per comment, served over HTTP.

The bare loop (bench/scenarios/ingest.py) measures INSERT + COMMIT with nothing around it; a
resident's comment always arrives over HTTP. This is the smallest web service that stores
comments the one-transaction-per-comment way, on the hub's own server stack (uvicorn, h11,
Starlette, the same event loop): ``POST /api/meetings/{id}/contributions`` reads the JSON body,
takes a connection from a pool, runs one single-row ``INSERT ... RETURNING id`` as its own
transaction and answers 201 with the id once it has committed. No screening, no meeting lock,
no event log, no cookie, no middleware: what the hub's route would cost without group commit
and without any of the hub's own work.

    python -m bench.bare_http --port 8123 --database sqlite+aiosqlite:////tmp/x.db

PostgreSQL: an ``asyncpg`` pool of ``POOL`` connections (commits in parallel; PostgreSQL groups
their WAL flushes itself). SQLite: ``POOL`` ``aiosqlite`` connections in WAL with
synchronous=FULL, as the hub configures it (SQLite still takes one writer at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

POOL = 32
PG_TABLE = """
CREATE TABLE IF NOT EXISTS bare_http_contributions (
    id BIGSERIAL PRIMARY KEY,
    meeting_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    position TEXT,
    body TEXT NOT NULL,
    client_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
)"""
PG_INSERT = (
    "INSERT INTO bare_http_contributions (meeting_id, kind, position, body, client_token, "
    "created_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING id"
)


def sqlite_dialect(sql: str) -> str:
    """The bare PostgreSQL statements above (and the ingest scenario's) in SQLite's words."""
    sql = re.sub(r"\$\d+", "?", sql).replace("now()", "CURRENT_TIMESTAMP")
    return sql.replace("BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT")


SQLITE_TABLE = sqlite_dialect(PG_TABLE)
SQLITE_INSERT = sqlite_dialect(PG_INSERT)

Insert = Callable[[tuple[Any, ...]], Awaitable[int]]


@asynccontextmanager
async def open_store(url: str) -> AsyncIterator[Insert]:
    if url.startswith("sqlite"):
        import aiosqlite

        path = url.split(":///", 1)[1]
        conns: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        opened = []
        for _ in range(POOL):
            conn = await aiosqlite.connect(path, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
                await conn.execute(f"PRAGMA {pragma}")
            opened.append(conn)
            conns.put_nowait(conn)
        await opened[0].execute(SQLITE_TABLE)

        async def insert_sqlite(values: tuple[Any, ...]) -> int:
            conn = await conns.get()
            try:
                cur = await conn.execute(SQLITE_INSERT, values)
                row = await cur.fetchone()
                await cur.close()
                assert row is not None
                return int(row[0])
            finally:
                conns.put_nowait(conn)

        try:
            yield insert_sqlite
        finally:
            for conn in opened:
                await conn.close()
    else:
        import asyncpg

        pool = await asyncpg.create_pool(url.replace("+asyncpg", ""), min_size=POOL, max_size=POOL)
        await pool.execute(PG_TABLE)

        async def insert_pg(values: tuple[Any, ...]) -> int:
            return int(await pool.fetchval(PG_INSERT, *values))

        try:
            yield insert_pg
        finally:
            await pool.close()


def build_app(url: str) -> Starlette:
    store: dict[str, Insert] = {}

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with open_store(url) as insert:
            store["insert"] = insert
            yield

    async def create(request: Request) -> Response:
        try:
            data = json.loads(await request.body())
            values = (
                int(request.path_params["meeting_id"]),
                str(data["kind"]),
                data.get("position"),
                str(data["body"]),
                str(data["client_token"]),
            )
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "bad_json"}, status_code=400)
        new_id = await store["insert"](values)
        return JSONResponse({"id": new_id}, status_code=201)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/api/meetings/{meeting_id:int}/contributions", create, methods=["POST"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    uvicorn.run(
        build_app(args.database),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        # uvicorn's default HTTP parser and event loop, as the hub's serve command uses them.
    )


if __name__ == "__main__":
    main()

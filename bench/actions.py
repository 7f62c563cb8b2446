"""CPU per action, in process, on SQLite and PostgreSQL: what one write costs the hub's process.

    .venv/bin/python -m bench.actions            # ~15 s; PostgreSQL skipped if absent

No HTTP, no sockets: the action functions called in their own transactions (``writing()``),
as the routes and the intake call them, on a fresh database with the demo council and meeting
(``hub.demo.seed``: 11 items and sub-items), opened. CPU is the process's
(``time.process_time``: the event loop and, on SQLite, aiosqlite's thread). Beside them, the
floor: one single-row INSERT + COMMIT through the same engine. The figures behind
bench/RESULTS.md's "what each change bought":

- a submission alone, and in groups of 32 (``submit_many``, as hub/intake.py groups them);
- a clerk's approval (``moderate``) and a set-current-item;
- a vote alone, and in groups of 100 (``vote_many``).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, text

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
ACTIONS_DATABASE = "council_hub_bench_actions"


async def measure(url: str) -> list[tuple[str, float]]:
    from hub import demo
    from hub.actions._locks import Actor
    from hub.actions.agenda import set_current_item
    from hub.actions.meetings import change_meeting_status
    from hub.actions.moderation import moderate
    from hub.actions.participation import Entry, Submission, submit_many
    from hub.actions.votes import Ballot, vote_many
    from hub.broker.memory import MemoryBroker
    from hub.db import create_engine, create_sessionmaker
    from hub.events.publish import Writer, writing
    from hub.models import Base, Contribution, StaffUser
    from hub.queries.meetings import load_items

    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
        key = "INTEGER PRIMARY KEY" if url.startswith("sqlite") else "BIGSERIAL PRIMARY KEY"
        await conn.execute(text(f"CREATE TABLE bare_rows (id {key}, body TEXT)"))
    sm = create_sessionmaker(engine)
    async with sm() as s:
        mid = (await demo.seed(Writer(s))).meeting_id
        item_ids = [item.id for item in await load_items(s, mid)]
        clerk_id = await s.scalar(select(StaffUser.id).where(StaffUser.email == demo.CLERK_EMAIL))
        await s.commit()
    assert clerk_id is not None
    broker = MemoryBroker()
    await broker.start()
    clerk = Actor(clerk_id, "Demo Clerk")
    async with writing(sm, broker) as w:
        await change_meeting_status(w, mid, "open", clerk)
    counter = iter(range(10**9))

    def entries(n: int, kind: str = "comment") -> list[Entry]:
        out = []
        for _ in range(n):
            k = next(counter)
            body = f"Comment {k}: the crossing on Station Road needs a second lollipop patrol"
            sub = Submission(kind=kind, position="support", body=body, client_token=f"t{k}")
            out.append(Entry(f"participant-{k:09d}", sub, "127.0.0.1"))
        return out

    async def per(n: int, step: Callable[[], Awaitable[Any]], times: int) -> float:
        for _ in range(max(2, times // 10)):  # warm: statement caches, the pool
            await step()
        start = time.process_time()
        for _ in range(times):
            await step()
        return (time.process_time() - start) / (times * n) * 1e3

    async def bare() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO bare_rows (body) VALUES (:b)"), {"b": "x" * 90})

    async def submissions(n: int) -> None:
        async with writing(sm, broker) as w:
            await submit_many(w, mid, entries(n))

    async with writing(sm, broker) as w:
        [(question, _new)] = await submit_many(w, mid, entries(1, "question"))  # type: ignore[misc]
    async with writing(sm, broker) as w:
        await moderate(w, mid, question.id, "approve", clerk)
    await submissions(400)  # pending comments for the approvals
    async with sm() as s:
        pending = list(
            await s.scalars(
                select(Contribution.id).where(Contribution.status == "pending").order_by("id")
            )
        )

    async def approve() -> None:
        async with writing(sm, broker) as w:
            await moderate(w, mid, pending.pop(), "approve", clerk)

    items = iter(item_ids[:3] * 10**5)

    async def current() -> None:
        async with writing(sm, broker) as w:
            await set_current_item(w, mid, next(items), clerk)

    async def votes(n: int) -> None:
        ballots = [Ballot(f"voter-{next(counter)}", question.id, True) for _ in range(n)]
        async with writing(sm, broker) as w:
            await vote_many(w, mid, ballots)

    try:
        return [
            ("bare: one INSERT + COMMIT", await per(1, bare, 300)),
            ("submission, alone", await per(1, lambda: submissions(1), 200)),
            ("submission, in groups of 32", await per(32, lambda: submissions(32), 20)),
            ("approval", await per(1, approve, 200)),
            ("set current item", await per(1, current, 200)),
            ("vote, alone", await per(1, lambda: votes(1), 200)),
            ("vote, in groups of 100", await per(100, lambda: votes(100), 10)),
        ]
    finally:
        await broker.close()
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=PG_URL, help="server to create a database on")
    args = parser.parse_args()
    import tempfile

    import asyncpg

    columns: dict[str, list[tuple[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        columns["SQLite"] = await measure(f"sqlite+aiosqlite:///{tmp}/actions.db")
    dsn = args.postgres.replace("+asyncpg", "")
    try:
        admin = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL skipped: {exc}")
    else:
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {ACTIONS_DATABASE}")
            await admin.execute(f"CREATE DATABASE {ACTIONS_DATABASE}")
            base = args.postgres.rsplit("/", 1)[0]
            columns["PostgreSQL"] = await measure(f"{base}/{ACTIONS_DATABASE}")
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {ACTIONS_DATABASE}")
            await admin.close()
    names = [name for name, _ms in next(iter(columns.values()))]
    print(f"{'ms of CPU per action':32}" + "".join(f"{db:>12}" for db in columns))
    for i, name in enumerate(names):
        print(f"{name:32}" + "".join(f"{col[i][1]:12.3f}" for col in columns.values()))


if __name__ == "__main__":
    asyncio.run(main())

"""The bare baseline: the least a Python server can do to deliver the same frames.

One process, the ``websockets`` library alone (``websockets.asyncio.server.serve``,
``compression=None``, its defaults otherwise, so its 20 s keepalive pings stand in for the
hub's heartbeats). It accepts sockets on any path and keeps them in a set. It holds the frames
the hub produced for the same clerk actions (a JSON file written by the benchmark: per action,
the frames a resident socket received from the hub, byte for byte) and, when triggered with
``GET /fire?i=K``, sends action K's frames to every socket with ``websockets.broadcast()``. No
database, no broker, no per-event work beyond framing: the floor the hub is measured against.

A socket that connects with ``?after=N`` first gets every frame broadcast so far with a seq above
N (each with a one-socket ``broadcast()``, which never awaits, then it joins the set: nothing
can slip between), so the resume storm has a baseline too. ``GET /healthz`` answers 200.

Run by the benchmark as ``python -m bench.baseline --port P --frames FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http
import json
import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.hub_server import Fired, frame_seqs, wait_healthy, wire_size
from bench.procs import Child, free_port, python_module, raise_nofile

# Matches uvicorn's default listen backlog, so both servers queue connects alike.
BACKLOG = 2048


async def serve(host: str, port: int, actions: list[list[str]]) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast
    from websockets.asyncio.server import serve as ws_serve

    connections: set[ServerConnection] = set()
    history: list[tuple[int, str]] = []  # (seq, frame) of every frame broadcast so far
    with_seqs = [[(frame_seqs(f)[-1], f) for f in frames] for frames in actions]

    def process_request(connection: ServerConnection, request: Any) -> Any:
        url = urlsplit(request.path)
        if url.path == "/healthz":
            return connection.respond(http.HTTPStatus.OK, "ok\n")
        if url.path == "/fire":
            i = int(parse_qs(url.query)["i"][0]) % len(with_seqs)
            for seq, frame in with_seqs[i]:
                history.append((seq, frame))
                broadcast(connections, frame)
            return connection.respond(http.HTTPStatus.OK, "fired\n")
        return None

    async def handler(connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query if connection.request else "")
        after = int(query.get("after", ["-1"])[0])
        if after >= 0:
            for seq, frame in history:
                if seq > after:
                    broadcast([connection], frame)
        connections.add(connection)
        try:
            await connection.wait_closed()
        finally:
            connections.discard(connection)

    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with ws_serve(
        handler,
        host,
        port,
        compression=None,
        process_request=process_request,
        backlog=BACKLOG,
    ):
        await stop


def main() -> None:
    parser = argparse.ArgumentParser(description="bare websockets broadcast baseline")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--frames", required=True, help="JSON: a list of lists of envelopes")
    args = parser.parse_args()
    raise_nofile()
    with open(args.frames, encoding="utf-8") as f:
        actions: list[list[str]] = json.load(f)
    asyncio.run(serve(args.host, args.port, actions))


# ---------------------------------------------------------------------------------------------
# The controller's side
# ---------------------------------------------------------------------------------------------


class BaselineTarget:
    """The baseline server, fired like the hub: action K sends the hub's frames of action K."""

    name = "baseline"

    def __init__(self, child: Child, host: str, actions: list[list[str]]) -> None:
        import httpx

        self.child = child
        self.host = host
        self.actions = actions
        self.step = 0
        self.fired: list[Fired] = []
        # A fresh connection per trigger: the websockets server answers plain HTTP and closes.
        self.http = httpx.AsyncClient(base_url=f"http://{host}", timeout=30)

    @property
    def server_pids(self) -> list[int]:
        return [self.child.pid]

    def ws_urls(self) -> list[str]:
        return [f"ws://{self.host}/api/meetings/1/live"]

    async def trigger(self) -> Fired:
        return await self.fire()

    async def settle(self, triggered: list[Fired]) -> list[Fired]:
        return triggered

    async def fire(self) -> Fired:
        if self.step >= len(self.actions):
            raise RuntimeError("the baseline has fired every action the hub produced")
        envelopes = self.actions[self.step]
        t0 = time.monotonic()
        r = await self.http.get("/fire", params={"i": self.step})
        r.raise_for_status()
        self.step += 1
        seqs = [s for e in envelopes for s in frame_seqs(e)]
        fired = Fired(
            t0, seqs, sum(wire_size(e) for e in envelopes), list(envelopes), len(envelopes)
        )
        self.fired.append(fired)
        return fired


@contextlib.asynccontextmanager
async def baseline_target(actions: list[list[str]]) -> AsyncIterator[BaselineTarget]:
    """Start the baseline with these frames (one list of envelopes per action)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(actions, f)
        frames_path = f.name
    port = free_port()
    child = Child(
        "baseline", python_module("bench.baseline", "--port", str(port), "--frames", frames_path)
    )
    target: BaselineTarget | None = None
    try:
        await wait_healthy(f"127.0.0.1:{port}", child)
        target = BaselineTarget(child, f"127.0.0.1:{port}", actions)
        yield target
    finally:
        if target is not None:
            await target.http.aclose()
        await asyncio.to_thread(child.stop)
        os.unlink(frames_path)


if __name__ == "__main__":
    main()

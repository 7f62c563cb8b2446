"""The residents' comment poster: a lean HTTP/1.1 load generator in its own processes.

``post_comments`` (bench/comments.py) used to post through httpx in the benchmark's own process,
at about 2.2 ms of CPU per request: on a 2-core machine shared with the server being measured,
the load generator ate the server's CPU. This is its replacement, and it runs outside the
benchmark's process so its CPU can be read by pid and reported beside the server's.

Child side (``python -m bench.poster SPEC``, SPEC one JSON object, see ``PosterSpec``):

- Process ``index`` of ``processes`` takes the strided share ``k = index, index + processes, ...``
  of the posts ``0..count-1`` and builds every request up front, by bytes formatting:
  ``POST path HTTP/1.1``, ``Host``, ``Content-Type: application/json``, ``Content-Length`` and
  the JSON body (no Origin header, no cookie: every post is a fresh participant).
- It opens its ``connections`` keep-alive connections (``asyncio.Protocol``, callbacks only: no
  task, future or coroutine per request), prints ``ready`` and waits for the go line on stdin
  (``{"t0": ..., "stop_at": ...}``, ``time.monotonic()`` values: CLOCK_MONOTONIC is one clock
  for every process on Linux), so connection setup is not measured and every process starts
  together.
- Each connection has one request in flight. The response is parsed in ``buffer_updated``: the
  status line, ``Content-Length`` (or chunked, or read-to-close), ``Connection: close`` (the
  connection is replaced before the next post); the body goes through ``json.loads`` only for a
  201, for its ``"id"``. The next post is written from the same callback. Connections share the
  process's posts; none starts one after ``stop_at``. A request unanswered for
  ``HTTP_TIMEOUT_S`` is aborted by a once-a-second watchdog and counted as a transport error.
- Recorded: per 201 the id, latency (``time.monotonic()`` from the write to the full response)
  and completion time, in completion order; status -> count for every other status and the first
  ``ERROR_TEXTS`` of them as ``post k: status body[:200]``; every transport error. One JSON line
  on stdout when the share is done; then the process waits for stdin to close before it exits,
  so its parent can read its CPU time from ``/proc/<pid>/stat`` first.

Controller side: ``Posters`` starts the processes, waits for every ``ready``, sends the go line,
collects the results and reads the processes' CPU time between the go and the last result.

Measured cost (the asyncio selector loop, no uvloop, on the 2-core VM; utime + stime of the
poster process over the measured run, divided by the posts): about 70 µs of CPU per post against
the hub (ingest, 3,000 posts over 32 connections at ~450 posts/s, where nearly every response
wakes the loop on its own), about 12 µs per post when responses arrive together (a canned-201
server at ~45,000 posts/s); httpx in the benchmark's process took ~2.2 ms. Roughly a fifth of it
is the kernel's loopback send and receive, the rest the event loop's wake-up and this file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from bench.procs import REPO_ROOT, STOP_TIMEOUT_S, python_module, total_cpu

# Same bound as every other HTTP request of the benchmark (bench.hub_server.HTTP_TIMEOUT_S).
HTTP_TIMEOUT_S = 30.0
# Non-201 responses whose status and body are kept as text (all of them are counted).
ERROR_TEXTS = 5
# Python start-up, the imports and the connections: a process not ready in this long failed.
READY_TIMEOUT_S = 60.0
WATCHDOG_INTERVAL_S = 1.0
# Each connection's receive buffer; a response is ~0.5 KB, a longer one takes several reads.
READ_BUFFER_BYTES = 65_536


@dataclass
class PosterSpec:
    """What one poster process does (its command-line argument, as JSON)."""

    host: str  # "127.0.0.1:8000"
    meeting_id: int
    run: str
    count: int  # of every process together
    index: int  # this process takes k = index, index + processes, ...
    processes: int
    connections: int


@dataclass
class PosterReport:
    """One poster process's results (its last stdout line, as JSON)."""

    ids: list[int] = field(default_factory=list)  # per 201, in completion order
    latencies: list[float] = field(default_factory=list)  # seconds, per 201
    ends: list[float] = field(default_factory=list)  # per 201, seconds after the go
    refused: dict[int, int] = field(default_factory=dict)  # status -> count (non-201)
    refusals: list[str] = field(default_factory=list)  # the first ERROR_TEXTS non-201s, as text
    errors: list[str] = field(default_factory=list)  # every transport error
    attempted: int = 0
    last: float = 0.0  # seconds after the go at which this process's last post ended

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PosterReport:
        rep = cls(**raw)
        rep.refused = {int(s): int(n) for s, n in raw["refused"].items()}
        return rep


# ---------------------------------------------------------------------------------------------
# Child side
# ---------------------------------------------------------------------------------------------


def comment_request(host: str, path: str, k: int, run: str) -> bytes:
    """The full request for post ``k``: the body exactly as ``post_comments`` always sent it."""
    from bench.comments import comment_body

    position = ("support", "oppose", "neutral")[k % 3]
    body = (
        f'{{"kind":"comment","position":"{position}","body":{json.dumps(comment_body(k, run))},'
        f'"item_id":null,"client_token":{json.dumps(f"{run}-{k}")}}}'
    ).encode()
    return b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n" % (
        path.encode(),
        host.encode(),
    ) + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _dechunk(buf: bytes | bytearray, at: int) -> tuple[bytes, int] | None:
    """A chunked body starting at ``at``: (body, end of message), or None if incomplete."""
    parts: list[bytes] = []
    while True:
        eol = buf.find(b"\r\n", at)
        if eol < 0:
            return None
        size = int(buf[at:eol].split(b";", 1)[0], 16)
        if size == 0:
            end = buf.find(b"\r\n\r\n", eol)  # no trailers are expected: just the last CRLF
            return (b"".join(parts), end + 4) if end >= 0 else None
        start = eol + 2
        if len(buf) < start + size + 2:
            return None
        parts.append(bytes(buf[start : start + size]))
        at = start + size + 2


class Work:
    """One process's share of the posts, its connections and what they recorded."""

    def __init__(self, spec: PosterSpec) -> None:
        self.host, _, port = spec.host.rpartition(":")
        self.port = int(port)
        self.ks = list(range(spec.index, spec.count, spec.processes))
        path = f"/api/meetings/{spec.meeting_id}/contributions"
        self.requests = [comment_request(spec.host, path, k, spec.run) for k in self.ks]
        self.next = 0
        self.t0 = 0.0
        self.stop_at = 0.0
        self.rep = PosterReport()
        self.last = 0.0
        self.clients: list[Client | None] = [None] * spec.connections
        self.running = spec.connections
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def take(self) -> int:
        """The index of the next post to send, or -1: none left, or past the deadline."""
        i = self.next
        if i >= len(self.requests) or time.monotonic() >= self.stop_at:
            return -1
        self.next = i + 1
        return i

    async def connect(self, slot: int) -> Client:
        loop = asyncio.get_running_loop()
        _, client = await loop.create_connection(lambda: Client(self, slot), self.host, self.port)
        self.clients[slot] = client
        return client

    def send_next(self, slot: int) -> None:
        """Slot ``slot`` is idle: send its next post (on a new connection if it has none)."""
        i = self.take()
        if i < 0:
            done = self.clients[slot]
            if done is not None:
                done.retire()
            self.clients[slot] = None
            self.running -= 1
            if self.running == 0 and not self.done.done():
                self.done.set_result(None)
            return
        client = self.clients[slot]
        if client is None or client.transport is None:
            asyncio.get_running_loop().create_task(self._reconnect_and_send(slot, i))
        else:
            client.send(i)

    async def _reconnect_and_send(self, slot: int, i: int) -> None:
        try:
            client = await asyncio.wait_for(self.connect(slot), HTTP_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            self.transport_error(i, f"connect: {type(exc).__name__}: {exc}")
            self.send_next(slot)
            return
        client.send(i)

    def transport_error(self, i: int, text: str) -> None:
        self.last = time.monotonic()
        self.rep.errors.append(f"post {self.ks[i]}: {text}")

    def response(self, i: int, sent_at: float, status: int, body: bytes | bytearray) -> None:
        now = self.last = time.monotonic()
        rep = self.rep
        if status == 201:
            try:
                cid = int(json.loads(body)["id"])
            except (ValueError, KeyError, TypeError) as exc:
                rep.errors.append(f"post {self.ks[i]}: 201 without an id ({exc}): {body[:200]!r}")
                return
            rep.ids.append(cid)
            rep.latencies.append(now - sent_at)
            rep.ends.append(now - self.t0)
        else:
            rep.refused[status] = rep.refused.get(status, 0) + 1
            if len(rep.refusals) < ERROR_TEXTS:
                text = body[:200].decode(errors="replace")
                rep.refusals.append(f"post {self.ks[i]}: {status} {text}")

    async def watchdog(self) -> None:
        """Abort any request unanswered for ``HTTP_TIMEOUT_S`` (no timer per request)."""
        while True:
            await asyncio.sleep(WATCHDOG_INTERVAL_S)
            now = time.monotonic()
            for c in self.clients:
                if c is not None and c.i >= 0 and now - c.sent_at > HTTP_TIMEOUT_S:
                    c.timed_out = True
                    if c.transport is not None:
                        c.transport.abort()

    def report(self) -> PosterReport:
        self.rep.attempted = self.next
        self.rep.last = max(self.last - self.t0, 0.0)
        return self.rep


class Client(asyncio.BufferedProtocol):
    """One keep-alive connection, one request at a time; replaced (not reused) once closed.

    A ``BufferedProtocol``: the loop receives into this connection's own buffer
    (``recv_into``), where a plain ``Protocol`` gets a fresh bytes object from
    ``recv(256 KiB)`` per read; that halves the client's CPU per post.
    """

    def __init__(self, work: Work, slot: int) -> None:
        self.rbuf = bytearray(READ_BUFFER_BYTES)
        self.rview = memoryview(self.rbuf)
        self.work = work
        self.slot = slot
        self.transport: asyncio.Transport | None = None
        self.buf: bytes | bytearray = b""  # a response's first part, until it is complete
        self.i = -1  # the post in flight, or -1
        self.sent_at = 0.0
        self.timed_out = False
        # The response being read: status, where its body starts, its length (-1: chunked,
        # -2: until the server closes), and whether the server closes after it.
        self.status = 0
        self.body_at = -1
        self.length = 0
        self.close_after = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, i: int) -> None:
        assert self.transport is not None
        self.i = i
        self.sent_at = time.monotonic()
        self.transport.write(self.work.requests[i])

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.rview

    def buffer_updated(self, nbytes: int) -> None:
        data = self.rbuf[:nbytes]
        buf = self.buf + data if self.buf else data
        if self.i < 0:
            self.buf = b""
            return  # nothing asked for (a stray byte after a response): ignore it
        if self.body_at < 0:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            head = buf[:end].lower()
            self.status = int(buf[9:12])
            self.body_at = end + 4
            self.close_after = head.startswith(b"http/1.0") or b"\r\nconnection: close" in head
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                eol = head.find(b"\r\n", at + 2)
                self.length = int(head[at + 17 : eol if eol >= 0 else end])
            elif b"\r\ntransfer-encoding: chunked" in head:
                self.length = -1
            elif self.status in (204, 304) or 100 <= self.status < 200:
                self.length = 0
            else:
                self.length = -2
        if self.length >= 0:
            stop = self.body_at + self.length
            if len(buf) < stop:
                self.buf = buf
                return
            body = buf[self.body_at : stop]
        elif self.length == -1:
            chunked = _dechunk(buf, self.body_at)
            if chunked is None:
                self.buf = buf
                return
            body = chunked[0]
        else:
            self.buf = buf  # read to close: connection_lost completes it
            return
        self._complete(body)

    def _complete(self, body: bytes | bytearray) -> None:
        i, status = self.i, self.status
        self.i, self.buf, self.body_at = -1, b"", -1
        self.work.response(i, self.sent_at, status, body)
        if self.close_after and self.transport is not None:
            self.retire()
        self.work.send_next(self.slot)

    def retire(self) -> None:
        """Close this connection for good; its slot connects anew for its next post."""
        transport, self.transport = self.transport, None
        if transport is not None:
            transport.close()

    def eof_received(self) -> bool:
        return False  # close our side too: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is None:
            return  # retired by us after a complete response
        self.transport = None
        if self.i < 0:
            return  # closed while idle (e.g. keep-alive timeout): the next post reconnects
        if self.body_at >= 0 and self.length == -2:
            self._complete(self.buf[self.body_at :])
            return
        i = self.i
        self.i = -1
        if self.timed_out:
            why = f"ReadTimeout: no full response in {HTTP_TIMEOUT_S:.0f} s"
        elif exc is not None:
            why = f"{type(exc).__name__}: {exc}"
        else:
            why = f"RemoteProtocolError: the server closed after {len(self.buf)} response bytes"
        self.work.transport_error(i, why)
        self.work.send_next(self.slot)


async def child_main(spec: PosterSpec) -> None:
    work = Work(spec)
    # A failed connection here is retried (and counted if it fails again) at its first post.
    await asyncio.gather(
        *(work.connect(s) for s in range(spec.connections)), return_exceptions=True
    )
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    # Blocking read: the loop has nothing to do until the go.
    go = sys.stdin.readline()
    if not go:
        return  # the parent gave up
    times = json.loads(go)
    work.t0, work.stop_at = float(times["t0"]), float(times["stop_at"])
    watchdog = asyncio.get_running_loop().create_task(work.watchdog())
    if spec.connections == 0:
        work.done.set_result(None)
    for slot in range(spec.connections):
        work.send_next(slot)
    await work.done
    watchdog.cancel()
    sys.stdout.write(json.dumps(asdict(work.report()), separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m bench.poster SPEC_JSON (started by bench.poster.Posters)")
    spec = PosterSpec(**json.loads(args[0]))
    asyncio.run(child_main(spec))
    # Stay (and stay measurable) until the parent has read our CPU time and closes stdin.
    sys.stdin.read()


# ---------------------------------------------------------------------------------------------
# Controller side
# ---------------------------------------------------------------------------------------------


class Posters:
    """``processes`` poster processes sharing ``count`` posts over ``concurrency`` connections.

    ``async with Posters(...) as p: reports = await p.run(deadline_s)``; ``p.pids``, and
    ``p.cpu`` (their CPU seconds from the go to the last report, from /proc) after ``run``.
    """

    def __init__(
        self,
        host: str,
        meeting_id: int,
        count: int,
        concurrency: int,
        run: str,
        processes: int = 1,
    ) -> None:
        processes = max(1, min(processes, concurrency))
        self.specs = [
            PosterSpec(
                host=host,
                meeting_id=meeting_id,
                run=run,
                count=count,
                index=p,
                processes=processes,
                connections=concurrency // processes + (1 if p < concurrency % processes else 0),
            )
            for p in range(processes)
        ]
        self.procs: list[asyncio.subprocess.Process] = []
        self._logs: list[IO[bytes]] = []
        self.cpu = 0.0
        self.t0 = 0.0

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    async def __aenter__(self) -> Posters:
        try:
            for spec in self.specs:
                log = tempfile.TemporaryFile(prefix="bench-poster-")  # noqa: SIM115 (__aexit__)
                self._logs.append(log)
                self.procs.append(
                    await asyncio.create_subprocess_exec(
                        *python_module("bench.poster", json.dumps(asdict(spec))),
                        cwd=REPO_ROOT,
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        stderr=log,
                        limit=1 << 28,  # the report is one line, ~50 bytes per post
                    )
                )
            for n, proc in enumerate(self.procs):
                line = await self._line(proc, READY_TIMEOUT_S)
                if line != b"ready\n":
                    raise RuntimeError(f"poster {n} did not start: {line!r}\n{self._stderr(n)}")
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def run(self, deadline_s: float) -> list[PosterReport]:
        """Start every process together; their reports, once every one has finished."""
        cpu0 = total_cpu(self.pids)
        self.t0 = time.monotonic()
        go = json.dumps({"t0": self.t0, "stop_at": self.t0 + deadline_s}).encode() + b"\n"
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(go)
        for proc in self.procs:
            assert proc.stdin is not None
            await proc.stdin.drain()
        reports = []
        for n, proc in enumerate(self.procs):
            remaining = self.t0 + deadline_s + HTTP_TIMEOUT_S + 30 - time.monotonic()
            line = await self._line(proc, max(remaining, 1.0))
            if not line.endswith(b"\n"):
                raise RuntimeError(f"poster {n} stopped without a report\n{self._stderr(n)}")
            reports.append(PosterReport.from_json(json.loads(line)))
        self.cpu = total_cpu(self.pids) - cpu0  # before they exit (stdin still open)
        return reports

    async def _line(self, proc: asyncio.subprocess.Process, timeout: float) -> bytes:
        assert proc.stdout is not None
        return await asyncio.wait_for(proc.stdout.readline(), timeout)

    def _stderr(self, n: int) -> str:
        log = self._logs[n]
        log.seek(0)
        return log.read().decode(errors="replace")[-3000:]

    async def __aexit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.stdin is not None and not proc.stdin.is_closing():
                proc.stdin.close()
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        for log in self._logs:
            log.close()
        self._logs = []


if __name__ == "__main__":
    main()

"""The client fleet: separate processes, each holding many resident sockets (picows, the
cheapest Python WebSocket client) and recording what every socket receives.

What a fleet process records:

- per socket, every ``seq`` it received, in order (``array('l')``), its close code and, for the
  one deliberately slow socket, the bytes it was sent after it stopped reading;
- per seq, how many of this process's sockets have it and ``time.monotonic()`` when the last of
  them got it. ``time.monotonic()`` is CLOCK_MONOTONIC, one clock for every process on a Linux
  machine, so the controller subtracts its own trigger time from it directly. The fleet is one
  thread, so the last arrival is also the latest.

The controller (``FleetPool`` below, in the benchmark's process) starts the fleet processes and
drives them over a Unix socket, one JSON line per command and one per reply, one command at a time
per process. Commands: ``connect``, ``wait`` (until every counted socket has a seq), ``clear``,
``pause``/``unpause``/``has_seq``/``close_seen`` (the slow socket), ``report`` (check every
socket against the expected seqs), ``drop`` (abort every socket at once), ``reconnect`` (each
from its own last seq), ``captured`` (the raw frames one socket received, which the baseline
then sends), ``close``. The fleet's own CPU time is read from /proc by the controller and
printed beside the results, because on a small machine it competes with the server for the
same cores.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.procs import REPO_ROOT, python_module, raise_nofile

# Handshakes in flight per fleet process. uvicorn's listen backlog is 2,048: two fleets at 256
# each stay far below it, so no connect waits for a SYN retransmit (1 s) and "time to connect"
# measures the server, not the kernel's retry timer. Real clients reconnect with jitter, too.
CONNECT_CONCURRENCY = 256
# Source addresses for client sockets: all of 127.0.0.0/8 is loopback on Linux. One address
# gives ~28,000 ephemeral ports (net.ipv4.ip_local_port_range); spreading sockets over several
# keeps repeated runs of 10,000 sockets clear of ports still in TIME_WAIT.
SOURCE_ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)
# The slow socket asks for a small receive buffer and MSS: on loopback the server's kernel send
# buffer grows with the MSS to ~3-4 MB, which would hide the hub's own byte budget behind the
# kernel's. With these the kernel holds ~50 KB for it and the budget is what is measured.
SLOW_RCVBUF = 4096
SLOW_MSS = 536
# picows' per-socket read buffer; frames here are 0.3-2.5 KB and it grows if needed.
READ_BUFFER_BYTES = 4096
HANDSHAKE_TIMEOUT_S = 30.0
# Every reply must come within this long, or the controller gives up on the run.
REPLY_TIMEOUT_S = 180.0
# Longest control line (a reply carrying every frame one socket captured).
CONTROL_LINE_LIMIT = 256 * 1024 * 1024
# How long `drop` and `close` wait for every socket to be gone.
DISCONNECT_TIMEOUT_S = 20.0


# ---------------------------------------------------------------------------------------------
# The fleet process
# ---------------------------------------------------------------------------------------------


_SEQ_KEY = b'{"seq":'


def _array_seqs(payload: bytes) -> list[int]:
    """The seqs of a coalesced frame, ``[{"seq":N,...},{"seq":M,...}]``, without parsing it.

    Each envelope opens with its seq, and ``{"seq":`` cannot occur inside a JSON string (its
    quotes would be escaped), nor does any event's data open an object with a ``seq`` key; a
    frame that broke either rule would show up as unexpected seqs and fail the run. Parsing
    whole frames cost the fleet as much CPU as the server spends sending them, which on two
    shared cores is CPU taken from the server being measured. The captured sockets' frames are
    still parsed in full and compared with the log.
    """
    seqs = []
    find = payload.find
    i = find(_SEQ_KEY)
    while i >= 0:
        j = find(b",", i + 7)
        seqs.append(int(payload[i + 7 : j]))
        i = find(_SEQ_KEY, j)
    return seqs


def _frame_bytes(payload_len: int) -> int:
    """Wire size of an unmasked server frame with this payload."""
    return payload_len + (2 if payload_len < 126 else 4 if payload_len < 1 << 16 else 10)


class Fleet:
    def __init__(self) -> None:
        self.sockets: list[Any] = []
        self.counts: dict[int, int] = {}
        self.last_t: dict[int, float] = {}
        self.target = 0  # counted sockets: a seq is complete when this many have it
        self.waiters: dict[int, asyncio.Future[None]] = {}
        self.heartbeats = 0
        self.other_frames = 0
        self.connect_failures: list[str] = []

    # -- receiving (hot path) ------------------------------------------------------------------

    def got(self, seqs: Sequence[int]) -> None:
        """One frame's seqs arrived on one counted socket (one clock read for the frame)."""
        now = time.monotonic()
        counts, last_t, target = self.counts, self.last_t, self.target
        for seq in seqs:
            c = counts.get(seq, 0) + 1
            counts[seq] = c
            last_t[seq] = now
            if c >= target:
                waiter = self.waiters.pop(seq, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

    # -- commands ------------------------------------------------------------------------------

    async def connect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        url: str = cmd["url"]
        after: int = cmd["after"]
        n: int = cmd["n"]
        slow: int = cmd.get("slow", 0)  # the first `slow` new sockets are slow ones
        start = len(self.sockets)
        new = [Resident(self, start + i, i < slow, after) for i in range(n)]
        if cmd.get("capture") and new:
            new[-1].capture = []
        self.sockets.extend(new)
        self.target = sum(1 for s in self.sockets if s.counting)
        t0 = time.monotonic()
        await self._connect_all(new, url)
        return {
            "connected": sum(1 for s in new if s.connected),
            "failed": len(self.connect_failures),
            "errors": self.connect_failures[:3],
            "seconds": time.monotonic() - t0,
            "first_index": start,
        }

    async def _connect_all(self, socks: list[Resident], url: str) -> None:
        from picows import ws_connect

        sem = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(sock: Resident) -> None:
            async with sem:
                src = SOURCE_ADDRESSES[sock.index % len(SOURCE_ADDRESSES)]
                target = f"{url}?after={sock.position()}"
                try:
                    await ws_connect(
                        lambda: sock,
                        target,
                        socket_factory=lambda _parsed: sock.make_socket(src),
                        websocket_handshake_timeout=HANDSHAKE_TIMEOUT_S,
                        read_buffer_init_size=READ_BUFFER_BYTES,
                        enable_auto_pong=True,
                    )
                except Exception as exc:
                    self.connect_failures.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(one(s) for s in socks))

    async def wait(self, cmd: dict[str, Any]) -> dict[str, Any]:
        seq: int = cmd["seq"]
        if self.counts.get(seq, 0) < self.target:
            waiter = self.waiters.get(seq)
            if waiter is None:
                waiter = asyncio.get_running_loop().create_future()
                self.waiters[seq] = waiter
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter), cmd["timeout"])
            self.waiters.pop(seq, None)
        count = self.counts.get(seq, 0)
        return {
            "complete": count >= self.target,
            "count": count,
            "target": self.target,
            "t": self.last_t.get(seq),
            # For several actions fired together: when each of their last frames was complete.
            "times": {
                str(s): self.last_t.get(s) if self.counts.get(s, 0) >= self.target else None
                for s in cmd.get("times_for", [])
            },
        }

    def clear(self) -> dict[str, Any]:
        self.counts.clear()
        self.last_t.clear()
        self.heartbeats = 0
        return {}

    def captured(self) -> dict[str, Any]:
        """The raw frames the capturing socket received, in order."""
        for sock in self.sockets:
            if sock.capture is not None:
                return {"frames": sock.capture}
        return {"frames": []}

    def pause(self, cmd: dict[str, Any]) -> dict[str, Any]:
        sock: Resident = self.sockets[cmd["index"]]
        sock.pause()
        return {"paused_after_seq": sock.seqs[-1] if sock.seqs else None}

    def unpause(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.sockets[cmd["index"]].unpause()
        return {}

    async def has_seq(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Wait (bounded) until one socket has received a seq."""
        sock: Resident = self.sockets[cmd["index"]]
        deadline = time.monotonic() + cmd["timeout"]
        while cmd["seq"] not in sock.seqs and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return {"has": cmd["seq"] in sock.seqs}

    async def close_seen(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Wait (bounded) until a socket has been closed; return what it saw."""
        sock: Resident = self.sockets[cmd["index"]]
        deadline = time.monotonic() + cmd["timeout"]
        while sock.connected and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        summary: dict[str, Any] = sock.summary()
        return summary

    def report(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Check every counted socket against the expected seqs; give per-seq times."""
        expected: list[int] = cmd["expected"]
        expected_arr = array.array("l", expected)
        expected_set = set(expected)
        ok = 0
        problems: list[str] = []
        gaps = dups = extra = disordered = 0
        closes: dict[str, int] = {}
        frames = 0
        for sock in self.sockets:
            frames += len(sock.seqs)
            if sock.close_code is not None:
                closes[str(sock.close_code)] = closes.get(str(sock.close_code), 0) + 1
            if not sock.counting:
                continue
            if sock.seqs == expected_arr:
                ok += 1
                continue
            got = list(sock.seqs)
            got_set = set(got)
            missing = len(expected_set - got_set)
            d = len(got) - len(got_set)
            x = len(got_set - expected_set)
            o = int(got != sorted(got))
            gaps += missing
            dups += d
            extra += x
            disordered += o
            if len(problems) < 5:
                problems.append(
                    f"socket {sock.index}: {len(got)} frames, missing {missing}, "
                    f"duplicates {d}, unexpected {x}, out of order {bool(o)}, "
                    f"connected {sock.connected}, close {sock.close_code}"
                )
        times = {
            str(s): [self.counts.get(s, 0), self.last_t.get(s)] for s in cmd.get("times_for", [])
        }
        return {
            "sockets": self.target,
            "ok": ok,
            "missing": gaps,
            "duplicates": dups,
            "unexpected": extra,
            "disordered": disordered,
            "problems": problems,
            "closes": closes,
            "frames": frames,
            "heartbeats": self.heartbeats,
            "other_frames": self.other_frames,
            "times": times,
            "slow": [s.summary() for s in self.sockets if not s.counting],
        }

    async def drop(self) -> dict[str, Any]:
        """Every socket vanishes at once (a network blip): abort, no close handshake."""
        t0 = time.monotonic()
        for sock in self.sockets:
            if sock.transport is not None and sock.connected:
                sock.transport.disconnect(graceful=False)
        gone = await self._wait_disconnected()
        return {"dropped": len(self.sockets), "all_gone": gone, "seconds": time.monotonic() - t0}

    async def reconnect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Every socket reconnects at once from the last seq it received."""
        for sock in self.sockets:
            sock.close_code = None
        self.connect_failures.clear()
        t0 = time.monotonic()
        await self._connect_all(self.sockets, cmd["url"])
        return {
            "connected": sum(1 for s in self.sockets if s.connected),
            "failed": len(self.connect_failures),
            "errors": self.connect_failures[:3],
            "t0": t0,
            "seconds": time.monotonic() - t0,
        }

    async def close(self) -> dict[str, Any]:
        for sock in self.sockets:
            if sock.transport is not None and sock.connected:
                sock.transport.disconnect(graceful=False)
        gone = await self._wait_disconnected()
        return {"all_gone": gone}

    async def _wait_disconnected(self) -> bool:
        deadline = time.monotonic() + DISCONNECT_TIMEOUT_S
        while any(s.connected for s in self.sockets):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True


def _resident_class() -> type:
    """The listener class, built on first use so importing this module does not need picows."""
    from picows import WSCloseCode, WSListener, WSMsgType

    text, close = WSMsgType.TEXT, WSMsgType.CLOSE

    class _Resident(WSListener):
        __slots__ = (
            "fleet",
            "index",
            "counting",
            "after",
            "seqs",
            "transport",
            "connected",
            "close_code",
            "paused",
            "bytes_after_pause",
            "frames_after_pause",
            "close_after_bytes",
            "capture",
        )

        def __init__(self, fleet: Fleet, index: int, slow: bool, after: int) -> None:
            self.fleet = fleet
            self.index = index
            self.counting = not slow
            self.after = after
            self.seqs = array.array("l")
            self.transport: Any = None
            self.connected = False
            self.close_code: int | None = None
            self.paused = False
            self.bytes_after_pause = 0
            self.frames_after_pause = 0
            self.close_after_bytes: int | None = None
            self.capture: list[str] | None = None  # raw frames, for the baseline to replay

        def position(self) -> int:
            return self.seqs[-1] if self.seqs else self.after

        def make_socket(self, src: str) -> socket.socket:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if src != "127.0.0.1":
                # Defer the port choice to connect(), which may reuse a port towards another
                # destination: without this, bind() would pin one port per socket.
                s.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                s.bind((src, 0))
            if not self.counting:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_RCVBUF)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, SLOW_MSS)
            s.setblocking(False)
            return s

        def on_ws_connected(self, transport: Any) -> None:
            self.transport = transport
            self.connected = True

        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            kind = frame.msg_type
            if kind is text:
                p = frame.get_payload_as_bytes()
                if p.startswith(b'{"seq":'):  # one event (the envelope starts with its seq)
                    seqs: tuple[int, ...] | list[int] = (int(p[7 : p.index(b",", 7)]),)
                elif p.startswith(b'[{"seq":'):  # several events coalesced into one frame
                    seqs = _array_seqs(p)
                elif p == b'{"type":"heartbeat"}':
                    self.fleet.heartbeats += 1
                    return
                else:
                    self.fleet.other_frames += 1
                    return
                self.seqs.extend(seqs)
                if self.capture is not None:
                    self.capture.append(p.decode())
                if self.counting:
                    self.fleet.got(seqs)
                elif self.paused:
                    self.bytes_after_pause += _frame_bytes(len(p))
                    self.frames_after_pause += 1
            elif kind is close:
                self.close_code = frame.get_close_code().value
                if self.paused:
                    self.close_after_bytes = self.bytes_after_pause
                transport.send_close(WSCloseCode.OK)
                transport.disconnect()

        def on_ws_disconnected(self, transport: Any) -> None:
            self.connected = False

        def pause(self) -> None:
            self.paused = True
            self.bytes_after_pause = 0
            self.frames_after_pause = 0
            self.transport.underlying_transport.pause_reading()

        def unpause(self) -> None:
            if self.connected:
                self.transport.underlying_transport.resume_reading()

        def summary(self) -> dict[str, Any]:
            return {
                "index": self.index,
                "seqs": list(self.seqs),
                "close_code": self.close_code,
                "connected": self.connected,
                "bytes_after_pause": self.bytes_after_pause,
                "frames_after_pause": self.frames_after_pause,
                "close_after_bytes": self.close_after_bytes,
            }

    return _Resident


Resident: Any = None


async def _serve(path: str) -> None:
    global Resident
    Resident = _resident_class()
    raise_nofile()
    reader, writer = await asyncio.open_unix_connection(path, limit=CONTROL_LINE_LIMIT)
    writer.write(json.dumps({"pid": os.getpid()}).encode() + b"\n")
    fleet = Fleet()
    try:
        while line := await reader.readline():
            cmd = json.loads(line)
            op = cmd["cmd"]
            result: dict[str, Any]
            if op == "connect":
                result = await fleet.connect(cmd)
            elif op == "wait":
                result = await fleet.wait(cmd)
            elif op == "clear":
                result = fleet.clear()
            elif op == "pause":
                result = fleet.pause(cmd)
            elif op == "unpause":
                result = fleet.unpause(cmd)
            elif op == "has_seq":
                result = await fleet.has_seq(cmd)
            elif op == "close_seen":
                result = await fleet.close_seen(cmd)
            elif op == "captured":
                result = fleet.captured()
            elif op == "report":
                result = fleet.report(cmd)
            elif op == "drop":
                result = await fleet.drop()
            elif op == "reconnect":
                result = await fleet.reconnect(cmd)
            elif op == "close":
                result = await fleet.close()
                writer.write(json.dumps(result).encode() + b"\n")
                await writer.drain()
                break
            else:
                result = {"error": f"unknown command {op!r}"}
            writer.write(json.dumps(result).encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description="benchmark client fleet (started by bench)")
    parser.add_argument("control", help="Unix socket of the controller")
    args = parser.parse_args()
    asyncio.run(_serve(args.control))


# ---------------------------------------------------------------------------------------------
# The controller's side
# ---------------------------------------------------------------------------------------------


@dataclass
class _Member:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pid: int


class FleetPool:
    """``size`` fleet processes, driven together. Always use as ``async with``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.members: list[_Member] = []
        self._dir = tempfile.TemporaryDirectory(prefix="bench-fleet-")
        self._server: asyncio.Server | None = None
        self._arrived: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )
        self._children: list[Any] = []

    @property
    def pids(self) -> list[int]:
        return [m.pid for m in self.members]

    async def __aenter__(self) -> FleetPool:
        from bench.procs import Child

        path = os.path.join(self._dir.name, "control.sock")

        async def arrived(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            await self._arrived.put((r, w))

        self._server = await asyncio.start_unix_server(arrived, path, limit=CONTROL_LINE_LIMIT)
        try:
            for i in range(self.size):
                self._children.append(
                    Child(f"fleet{i}", python_module("bench.fleet", path), env=_child_env())
                )
            for _ in range(self.size):
                r, w = await asyncio.wait_for(self._arrived.get(), 30)
                hello = json.loads(await asyncio.wait_for(r.readline(), 30))
                self.members.append(_Member(r, w, int(hello["pid"])))
        except BaseException:
            await self._shutdown()
            raise
        # Match members to children by pid so member i is fleet i.
        order = {c.pid: i for i, c in enumerate(self._children)}
        self.members.sort(key=lambda m: order.get(m.pid, 0))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._shutdown()

    async def _shutdown(self) -> None:
        for m in self.members:
            with contextlib.suppress(Exception):
                await self.call(m, {"cmd": "close"}, timeout=DISCONNECT_TIMEOUT_S + 5)
        for m in self.members:
            m.writer.close()
            with contextlib.suppress(Exception):
                await m.writer.wait_closed()
        self.members.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for child in self._children:
            await asyncio.to_thread(child.stop)
            if child.proc.returncode not in (0, None, -15):
                sys.stderr.write(f"[bench] {child.name} exited {child.proc.returncode}:\n")
                sys.stderr.write(child.output[-4000:] + "\n")
        self._children.clear()
        self._dir.cleanup()

    async def call(
        self, member: _Member, cmd: dict[str, Any], timeout: float = REPLY_TIMEOUT_S
    ) -> dict[str, Any]:
        member.writer.write(json.dumps(cmd).encode() + b"\n")
        await member.writer.drain()
        line = await asyncio.wait_for(member.reader.readline(), timeout)
        if not line:
            raise RuntimeError(f"fleet process {member.pid} went away")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"fleet {member.pid}: {reply['error']}")
        return reply

    async def each(self, cmds: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send cmds[i] to member i, all at once."""
        calls: list[Awaitable[dict[str, Any]]] = [
            self.call(m, c) for m, c in zip(self.members, cmds, strict=True)
        ]
        return list(await asyncio.gather(*calls))

    async def all(self, cmd: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.each([cmd] * len(self.members))


def _child_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{path}" if path else str(REPO_ROOT)}


if __name__ == "__main__":
    main()

"""How a run is measured; shared by every scenario.

A *target* is a running server that can be fired: the hub (``bench.hub_server.HubTarget``: the
clerk posts a real action) or the bare baseline (``bench.baseline.BaselineTarget``: ``GET
/fire``, which broadcasts the hub's frames of the same action). ``fire()`` returns the trigger
time (``time.monotonic()`` just before the request is sent) and the public seqs it produced.

``fire_series`` fires actions one at a time (or a few back to back, ``batch``). After each, it
asks every fleet process to wait until all its counted sockets have the action's last public
event, and takes the latest arrival time from them: **time to last socket** = that time minus the
trigger time (so it includes the HTTP request, the hub's transaction and publish, the fan-out and
the client's read). The next action is fired a gap after the previous one reached everyone
(``default_gap``: longer than the hub's coalescing window), so each action is an isolated one.
Server CPU (utime + stime from /proc, every process of the target) is read before the first
trigger and after the last delivery: **CPU per delivery** = that CPU / (frames x counted
sockets), a delivery being one WebSocket frame written to one socket (an action's events share
one frame when the hub coalesces them; the baseline sends the very same frames). It includes the
trigger's own cost (for the hub: HTTP, session, CSRF, the database transaction; for the
baseline: parsing one HTTP request), heartbeats or pings that fall in the window, garbage
collections, and, for the hub, the clerk's one staff socket. The fleet's CPU is read the same way
and reported as µs per received frame.

After a run ``check`` asks every fleet process to compare each socket's received seqs with the
expected list (every public seq fired since the sockets connected): equal means nothing missing,
nothing twice, nothing out of order. For the hub the expected list is also compared with the
log's own public seqs (``GET /api/events?after=``), so the staff-socket bookkeeping cannot hide
a gap.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.fleet import FleetPool
from bench.hub_server import Fired
from bench.procs import rss_bytes, total_cpu

# Pause after an action has reached every socket before firing the next: lets ACKs and the
# server's write buffers settle, so each action is measured on its own. If the hub coalesces
# events that come within a window of the previous frame (COUNCIL_HUB_COALESCE_MS), the pause
# is longer than that window, so every action is an isolated one and goes out at once.
GAP_S = 0.02


def default_gap() -> float:
    try:
        from hub.settings import Settings

        coalesce = float(getattr(Settings.from_env(), "coalesce_ms", 0)) / 1000
    except Exception:
        coalesce = 0.0
    return GAP_S + coalesce


# An action not delivered to every counted socket within this long fails the run.
DELIVERY_TIMEOUT_S = 30.0
# After connecting, wait this long before reading RSS, so handshakes and their garbage settle.
SETTLE_S = 1.0


class Target(Protocol):
    name: str
    fired: list[Fired]

    @property
    def server_pids(self) -> list[int]: ...

    def ws_urls(self) -> list[str]: ...

    async def fire(self) -> Fired:
        """Trigger the next action and say which public frames it produced."""

    async def trigger(self) -> Any:
        """Trigger the next action only (several may be triggered before settling them)."""

    async def settle(self, triggered: list[Any]) -> list[Fired]:
        """The public frames of each triggered action, in order."""


def position(target: Target) -> int:
    """The seq a socket connecting now should resume after."""
    last = getattr(target, "last_seq", None)
    if last is not None:
        return int(last)
    for fired in reversed(target.fired):
        if fired.seqs:
            return fired.seqs[-1]
    return 0


def rss(pids: list[int]) -> int:
    return sum(rss_bytes(p) for p in pids)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: p99 of 30 values is the largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class Window:
    """One measured series of actions."""

    label: str
    sockets: int  # counted sockets (each action's frames go to all of them)
    fired: list[Fired]
    ttl: list[float]  # seconds, one per action that reached every socket
    incomplete: int
    server_cpu: float
    fleet_cpu: float
    wall: float

    @property
    def events(self) -> int:
        return sum(len(f.seqs) for f in self.fired)

    @property
    def frames(self) -> int:
        """WebSocket frames per socket (an action's events may share one when coalesced)."""
        return sum(len(f.seqs) if f.frames is None else f.frames for f in self.fired)

    @property
    def deliveries(self) -> int:
        """Frames written to sockets: the unit of fan-out work."""
        return self.frames * self.sockets

    @property
    def cpu_per_delivery_us(self) -> float:
        return self.server_cpu / max(self.deliveries, 1) * 1e6

    @property
    def fleet_us_per_frame(self) -> float:
        return self.fleet_cpu / max(self.deliveries, 1) * 1e6

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.ttl) * 1e3 if self.ttl else math.nan

    @property
    def p99_ms(self) -> float:
        return percentile(self.ttl, 99) * 1e3 if self.ttl else math.nan

    def summary(self) -> str:
        return (
            f"{self.label}: {len(self.fired)} actions, {self.frames} frames ({self.events} "
            f"events) x {self.sockets} sockets; last socket p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms; server "
            f"{self.server_cpu:.2f} s CPU ({self.cpu_per_delivery_us:.2f} µs/delivery); fleet "
            f"{self.fleet_cpu:.2f} s CPU ({self.fleet_us_per_frame:.2f} µs/frame); "
            f"{self.wall:.1f} s wall; slowest actions (#: ms) "
            + ", ".join(f"{i}: {t * 1e3:.0f}" for i, t in self.slowest(3))
        )

    def slowest(self, k: int) -> list[tuple[int, float]]:
        return sorted(enumerate(self.ttl), key=lambda x: -x[1])[:k]


@dataclass
class Check:
    """Per-socket correctness of one run."""

    label: str
    sockets: int = 0
    ok: int = 0
    expected_frames: int = 0
    delivered: int = 0
    missing: int = 0
    duplicates: int = 0
    unexpected: int = 0
    disordered: int = 0
    problems: list[str] = field(default_factory=list)
    closes: dict[str, int] = field(default_factory=dict)
    heartbeats: int = 0
    slow: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.sockets > 0 and self.ok == self.sockets and not self.problems

    def line(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        text = (
            f"{verdict:6} {self.label}: {self.ok:,}/{self.sockets:,} sockets exact; delivered "
            f"{self.delivered:,}/{self.expected_frames * self.sockets:,} events; missing "
            f"{self.missing}, duplicates {self.duplicates}, unexpected {self.unexpected}, "
            f"out of order {self.disordered}"
        )
        for problem in self.problems[:5]:
            text += f"\n         {problem}"
        return text


def split(n: int, parts: int) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


async def connect(
    fleets: FleetPool, target: Target, n: int, slow: int = 0, capture: bool = False
) -> float:
    """Open n sockets spread over the fleet processes (fleet i to server URL i mod count), the
    first ``slow`` new ones of fleet 0 being slow sockets; with ``capture``, fleet 0's last
    socket keeps the raw frames (see ``captured``). Returns seconds taken."""
    urls = target.ws_urls()
    after = position(target)
    counts = split(n, len(fleets.members))
    t0 = time.monotonic()
    replies = await fleets.each(
        [
            {
                "cmd": "connect",
                "url": urls[i % len(urls)],
                "after": after,
                "n": c,
                "slow": slow if i == 0 else 0,
                "capture": capture and i == 0,
            }
            for i, c in enumerate(counts)
        ]
    )
    failed = sum(r["failed"] for r in replies)
    if failed:
        errors = [e for r in replies for e in r["errors"]]
        raise RuntimeError(f"{failed} of {n} sockets failed to connect to {target.name}: {errors}")
    return time.monotonic() - t0


async def captured(fleets: FleetPool) -> list[str]:
    reply = await fleets.call(fleets.members[0], {"cmd": "captured"})
    frames: list[str] = reply["frames"]
    return frames


async def settle_rss(target: Target) -> int:
    await asyncio.sleep(SETTLE_S)
    return rss(target.server_pids)


async def fire_series(
    target: Target,
    fleets: FleetPool,
    count: int,
    sockets: int,
    label: str,
    gap: float | None = None,
    until: Callable[[list[Fired]], Awaitable[bool]] | None = None,
    max_count: int = 0,
    batch: int = 1,
) -> Window:
    """Fire ``count`` actions (or, with ``until``, at least ``count`` and then more until it
    holds, at most ``max_count``), ``batch`` at a time back to back, each batch once the previous
    one has reached every socket. Time to last socket is per action, from its own trigger."""
    gap = default_gap() if gap is None else gap
    await fleets.all({"cmd": "clear"})
    fired: list[Fired] = []
    ttl: list[float] = []
    incomplete = 0
    pids = target.server_pids
    cpu0, fleet0, wall0 = total_cpu(pids), total_cpu(fleets.pids), time.monotonic()
    while len(fired) < count or (
        until is not None and len(fired) < max_count and not await until(fired)
    ):
        triggered = [await target.trigger() for _ in range(batch)]
        settled = await target.settle(triggered)
        fired.extend(settled)
        done = [f for f in settled if f.seqs]
        if done:
            lasts = [f.seqs[-1] for f in done]
            replies = await fleets.all(
                {
                    "cmd": "wait",
                    "seq": lasts[-1],
                    "timeout": DELIVERY_TIMEOUT_S,
                    "times_for": lasts,
                }
            )
            counting = [r for r in replies if r["target"] > 0]
            for f, last in zip(done, lasts, strict=True):
                times = [r["times"][str(last)] for r in counting]
                if all(t is not None for t in times):
                    ttl.append(max(times) - f.t0)
                else:
                    incomplete += 1
        await asyncio.sleep(gap)
    cpu1, fleet1, wall1 = total_cpu(pids), total_cpu(fleets.pids), time.monotonic()
    return Window(
        label, sockets, fired, ttl, incomplete, cpu1 - cpu0, fleet1 - fleet0, wall1 - wall0
    )


async def fire_quietly(
    target: Target, fleets: FleetPool, count: int, gap: float | None = None
) -> None:
    """Warm-up actions: delivered and checked like the others, not measured."""
    for _ in range(count):
        f = await target.fire()
        if f.seqs:
            await fleets.all({"cmd": "wait", "seq": f.seqs[-1], "timeout": DELIVERY_TIMEOUT_S})
        await asyncio.sleep(default_gap() if gap is None else gap)


def expected_since(target: Target, mark: int) -> list[int]:
    """Every public seq fired since ``target.fired[mark]``."""
    return [s for f in target.fired[mark:] for s in f.seqs]


async def log_public_seqs(target: Target, after: int) -> list[int] | None:
    """For the hub: the public seqs after ``after`` according to the log (GET /events)."""
    clerk = getattr(target, "clerk", None)
    if clerk is None:
        return None
    meeting_id = target.meeting_id  # type: ignore[attr-defined]
    seqs: list[int] = []
    while True:
        page = await clerk.get_json(f"/api/meetings/{meeting_id}/events?after={after}")
        got = [int(e["seq"]) for e in page["events"]]
        seqs.extend(got)
        if not got or got[-1] >= page["last_seq"]:
            return seqs
        after = got[-1]


async def check(fleets: FleetPool, target: Target, mark: int, after: int, label: str) -> Check:
    expected = expected_since(target, mark)
    replies = await fleets.all({"cmd": "report", "expected": expected})
    c = Check(label, expected_frames=len(expected))
    for r in replies:
        c.sockets += r["sockets"]
        c.ok += r["ok"]
        c.missing += r["missing"]
        c.duplicates += r["duplicates"]
        c.unexpected += r["unexpected"]
        c.disordered += r["disordered"]
        c.problems.extend(r["problems"])
        c.heartbeats += r["heartbeats"]
        c.slow.extend(r["slow"])
        for code, k in r["closes"].items():
            c.closes[code] = c.closes.get(code, 0) + k
    c.delivered = sum(r["frames"] for r in replies) - sum(len(s["seqs"]) for s in c.slow)
    from_log = await log_public_seqs(target, after)
    if from_log is not None and from_log != expected:
        c.problems.append(
            f"the log's public seqs after {after} ({len(from_log)}) differ from the frames the "
            f"actions produced ({len(expected)})"
        )
    return c

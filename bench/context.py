"""What every scenario gets (sizes, databases, where to log) and what it gives back (rows)."""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.hub_server import SqliteTemplate
from bench.measure import GAP_S, Check, default_gap

# PostgreSQL and Redis for the scale-out scenario; the same defaults as the test suite.
POSTGRES_URL = os.environ.get(
    "COUNCIL_HUB_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("COUNCIL_HUB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# Named per run (the process id): two runs on one server (two developers' checkouts) would
# otherwise drop each other's database mid-run, and both would fail.
PG_DATABASE = f"council_hub_bench_{os.getpid()}"
# The ingest scenario's own database (created and dropped by it).
PG_INGEST_DATABASE = f"council_hub_bench_ingest_{os.getpid()}"


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is. ``FULL`` is the documented benchmark; ``QUICK`` is the smoke
    version (N = 200) that tests/test_bench.py runs."""

    # Fan-out: sockets on one meeting, and measured clerk actions per run (each action is two
    # public frames; p99 over 30 actions is the worst one).
    fanout: tuple[int, ...] = (1_000, 5_000, 10_000)
    actions: int = 30
    # Unmeasured actions after connecting: the first frames warm caches and buffers.
    warmup: int = 3
    # Per size: hub, bare, then bare, hub (ABBA), pooled: drift in the machine falls on both.
    rounds: int = 2
    # Slow consumer: sockets, and the hub's byte budget for the run (COUNCIL_HUB_SOCKET_BUDGET).
    # Its frames carry 2,000-character outcome notes (~2.4 KB) so the stuck socket passes 1 MiB
    # in ~450 actions rather than ~2,600.
    slow_n: int = 1_000
    slow_budget: int = 1 << 20
    # Actions in the reference phase (no stuck socket); the stuck phase takes ~500 at 1 MiB.
    slow_reference: int = 100
    # Actions fired back to back (a burst) before waiting for delivery, in the stuck phase and
    # its reference alike: a hub that coalesces holds each frame up to its window (200 ms), so
    # one action at a time would take ~2 minutes to pass 1 MiB.
    slow_batch: int = 5
    # Memory: idle sockets.
    memory: tuple[int, ...] = (1_000, 10_000)
    # Scale-out: N per process (1 process with N against 2 processes with N each).
    scale_n: int = 2_500
    # Resume storm: sockets, and actions that happen while they are away (2 public frames each).
    storm_n: int = 5_000
    storm_missed: int = 5
    # Comment bursts (issue 4): resident sockets, approvals per second (paced by the wall
    # clock) and for how long; the comments are posted (pending) beforehand.
    bursts_n: int = 5_000
    bursts_rate: float = 20.0
    bursts_s: float = 60.0
    # Ingest: comments posted over HTTP by this many concurrent clients (hub), and the same
    # number of single-row INSERT + COMMIT loops (bare asyncpg / aiosqlite).
    ingest_posts: int = 3_000
    ingest_concurrency: int = 32
    # Fleet processes (the machine has 2 cores; more would only take turns).
    fleets: int = 2
    # Pages (issue 14): seconds of wrk per path and server, and page loads arriving evenly
    # over a period (5,000 residents opening the page within a minute).
    pages_seconds: float = 8.0
    pages_rounds: int = 2  # hub/bare pairs per path (ABBA), the best of each reported
    pages_arrivals: int = 5_000
    pages_arrival_s: float = 60.0


FULL = Sizes()
QUICK = Sizes(
    fanout=(200,),
    actions=10,
    warmup=2,
    rounds=1,
    slow_n=200,
    slow_budget=64 * 1024,
    slow_reference=10,
    slow_batch=10,
    memory=(200,),
    scale_n=200,
    storm_n=200,
    storm_missed=3,
    bursts_n=200,
    bursts_s=3.0,
    ingest_posts=200,
    pages_seconds=1.0,
    pages_rounds=1,
    pages_arrivals=200,
    pages_arrival_s=2.0,
)


@dataclass
class Row:
    scenario: str
    size: str
    metric: str
    hub: float | None
    ref: float | None = None
    ref_name: str = ""  # what the reference is: "bare", "no slow", "1 proc"
    goal: str = ""  # e.g. "<= 1.3x"
    met: bool | None = None
    digits: int = 1
    show_ratio: bool = True

    @property
    def ratio(self) -> float | None:
        if not self.show_ratio or self.hub is None or self.ref is None or self.ref == 0:
            return None
        if math.isnan(self.hub) or math.isnan(self.ref):
            return None
        return self.hub / self.ref


@dataclass
class ScenarioResult:
    name: str
    rows: list[Row] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)


@dataclass
class Context:
    sizes: Sizes
    tmp: Path
    quick: bool = False
    postgres_url: str = POSTGRES_URL
    redis_url: str = REDIS_URL
    pg_database: str = PG_DATABASE
    pg_ingest_database: str = PG_INGEST_DATABASE
    # Which databases the ingest scenario measures ("sqlite", "postgresql").
    ingest_backends: tuple[str, ...] = ("sqlite", "postgresql")
    # Which databases the pages scenario measures, and its PostgreSQL database.
    pages_backends: tuple[str, ...] = ("sqlite", "postgresql")
    pg_pages_database: str = "council_hub_bench_pages"
    profile_dir: Path | None = None  # py-spy the hub during fan-out at PROFILE_N when set
    verbose: bool = True
    # Measurements one scenario makes and another reuses (idle RSS from the fan-out runs).
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _sqlite: SqliteTemplate | None = None
    _t0: float = field(default_factory=time.monotonic)

    @property
    def sqlite(self) -> SqliteTemplate:
        if self._sqlite is None:
            self._sqlite = SqliteTemplate(self.tmp)
        return self._sqlite

    @property
    def gap(self) -> float:
        """Pause between actions. The quick run (correctness only) does not wait out a
        coalescing window: coalesced frames are then exercised too."""
        return GAP_S if self.quick else default_gap()

    def log(self, message: str) -> None:
        if self.verbose:
            sys.stderr.write(f"[bench {time.monotonic() - self._t0:6.1f}s] {message}\n")
            sys.stderr.flush()

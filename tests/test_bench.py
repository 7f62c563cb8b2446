"""The benchmarks (bench/, issue 3) in their quick form (N = 200), end to end, through the same
code as ``python -m bench --quick``: real hub processes, the bare baseline, fleet processes.

Only correctness is asserted (every socket got every frame once, in order; the stuck socket is
closed with 1013 at its budget; the resumed sockets catch up with no gap; every approved comment
reaches every socket once, in order; every 201'd comment is in the database), never a timing: the
figures are for bench/RESULTS.md, not for CI to flake on.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench.context import QUICK, Context, ScenarioResult
from bench.scenarios import SCENARIOS
from tests.services import IN_CI, POSTGRES_URL, REDIS_URL, require_postgres, require_redis


async def run_quick(name: str, tmp_path: Path, **options: object) -> ScenarioResult:
    ctx = Context(QUICK, tmp_path, quick=True, verbose=False, **options)  # type: ignore[arg-type]
    result = await SCENARIOS[name](ctx)
    assert result.error is None, result.error
    for check in result.checks:
        assert check.passed, check.line()
    assert result.rows, "the scenario reported no figures"
    return result


async def test_fanout(tmp_path: Path) -> None:
    result = await run_quick("fanout", tmp_path)
    labels = {c.label for c in result.checks}
    assert any("hub" in label for label in labels) and any("bare" in label for label in labels)


async def test_slow_consumer(tmp_path: Path) -> None:
    result = await run_quick("slow", tmp_path)
    stuck = [c for c in result.checks if "stuck" in c.label]
    assert len(stuck) == 1 and stuck[0].passed  # closed with 1013 within its budget


async def test_memory(tmp_path: Path) -> None:
    result = await run_quick("memory", tmp_path)
    assert {r.metric for r in result.rows} >= {"RSS per idle socket (KiB)"}


async def test_resume_storm(tmp_path: Path) -> None:
    await run_quick("resume", tmp_path)


async def test_join_storm(tmp_path: Path) -> None:
    result = await run_quick("join", tmp_path)
    # Every socket the hub answered was attached by then, and every one got the first event.
    (unattached,) = [r for r in result.rows if "not attached" in r.metric]
    assert unattached.hub == 0
    assert {c.label for c in result.checks} >= {"join storm hub N=200", "join storm bare N=200"}


@pytest.mark.postgres
@pytest.mark.redis
async def test_scale_out(tmp_path: Path) -> None:
    require_postgres()
    require_redis()
    await run_quick(
        "scaleout",
        tmp_path,
        postgres_url=POSTGRES_URL,
        redis_url=REDIS_URL,
        pg_database=f"council_hub_bench_test_{uuid.uuid4().hex[:8]}",
    )


async def test_bursts(tmp_path: Path) -> None:
    result = await run_quick("bursts", tmp_path)
    metrics = {r.metric for r in result.rows}
    assert {"approval to screen p99 (ms)", "server CPU (cores)"} <= metrics


async def test_ingest_sqlite(tmp_path: Path) -> None:
    result = await run_quick("ingest", tmp_path, ingest_backends=("sqlite",))
    # The hub's 201'd comments, the bare loop's rows, the bare HTTP service's answers.
    assert len(result.checks) == 3


@pytest.mark.postgres
async def test_ingest_postgres(tmp_path: Path) -> None:
    require_postgres()
    result = await run_quick(
        "ingest",
        tmp_path,
        postgres_url=POSTGRES_URL,
        pg_ingest_database=f"council_hub_bench_ingest_test_{uuid.uuid4().hex[:8]}",
        ingest_backends=("postgresql",),
    )
    # Hub, bare loop, bare HTTP, and the hub on two processes unless Redis is missing.
    two_skipped = any("two processes skipped" in note for note in result.notes)
    assert not (two_skipped and IN_CI), "CI must run the two-process ingest (Redis is missing)"
    assert len(result.checks) == (3 if two_skipped else 4)


async def test_actions_cpu_table(tmp_path: Path) -> None:
    """bench.actions (CPU per action, in process) runs and measures every row; no timings."""
    from bench.actions import measure

    rows = await measure(f"sqlite+aiosqlite:///{tmp_path / 'actions.db'}")
    assert [name for name, _ms in rows][0].startswith("bare")
    assert len(rows) == 7 and all(ms > 0 for _name, ms in rows)


async def test_pages_sqlite_without_wrk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages (issue 14) with the Python load client, as where wrk is not installed: the shared
    renders equal fresh ones, 304s, private per-visitor values, nothing stale after an event,
    the stylesheet gzipped and fingerprinted; every load request answered."""
    from bench import http_load

    monkeypatch.setattr(http_load, "WRK", None)
    result = await run_quick("pages", tmp_path, pages_backends=("sqlite",))
    assert len(result.checks) == 1
    metrics = {r.metric for r in result.rows}
    assert {"page req/s", "snapshot req/s", "health req/s", "static req/s"} <= metrics
    assert any("Python client" in note for note in result.notes)


@pytest.mark.postgres
async def test_pages_postgres(tmp_path: Path) -> None:
    require_postgres()
    result = await run_quick(
        "pages",
        tmp_path,
        postgres_url=POSTGRES_URL,
        pg_pages_database=f"council_hub_bench_pages_test_{uuid.uuid4().hex[:8]}",
        pages_backends=("postgresql",),
    )
    assert len(result.checks) == 1

"""``.venv/bin/python -m bench [--quick] [--scenarios fanout,slow,...]``: run the benchmarks,
print the table, the per-socket checks and the notes (fleet cost, per-run summaries).

Exit status 1 if any correctness check failed (timings never fail a run: they are figures).
See bench/README.md for what each scenario measures and how to read the table.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import report
from bench.context import FULL, QUICK, Context, ScenarioResult, Sizes
from bench.procs import local_port_range, nofile_limit, raise_nofile
from bench.scenarios import SCENARIOS


async def run_scenarios(ctx: Context, names: list[str]) -> list[ScenarioResult]:
    results = []
    for name in names:
        ctx.log(f"scenario {name}")
        t0 = time.monotonic()
        try:
            res = await SCENARIOS[name](ctx)
        except Exception as exc:
            res = ScenarioResult(name, error=f"{type(exc).__name__}: {exc}")
            ctx.log(traceback.format_exc())
        res.notes.append(f"{name}: {time.monotonic() - t0:.0f} s")
        results.append(res)
    return results


def environment() -> str:
    lo, hi = local_port_range()
    return (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"fd limit {nofile_limit():,}, ephemeral ports {lo}-{hi} ({hi - lo + 1:,} per source "
        f"address)"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="N = 200 everywhere: a smoke run")
    p.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, from: {', '.join(SCENARIOS)} (default: all)",
    )
    p.add_argument("--sizes", help="fan-out sizes, e.g. 1000,5000 (default 1000,5000,10000)")
    p.add_argument(
        "--rounds", type=int, help="hub/bare rounds per fan-out size (default 2, quick 1)"
    )
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="also py-spy the hub (fan-out at 5,000, bursts, ingest) and write the profiles to DIR",
    )
    p.add_argument("--markdown", metavar="FILE", help="also write the results as Markdown")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}")
    sizes: Sizes = QUICK if args.quick else FULL
    if args.sizes:
        sizes = dataclasses.replace(sizes, fanout=tuple(int(s) for s in args.sizes.split(",")))
    if args.rounds:
        sizes = dataclasses.replace(sizes, rounds=args.rounds)
    raise_nofile()
    with tempfile.TemporaryDirectory(prefix="council-hub-bench-") as tmp:
        ctx = Context(sizes, Path(tmp), quick=args.quick, verbose=not args.quiet)
        if args.profile:
            ctx.profile_dir = Path(args.profile).resolve()
            ctx.profile_dir.mkdir(parents=True, exist_ok=True)
        ctx.log(environment())
        t0 = time.monotonic()
        results = asyncio.run(run_scenarios(ctx, names))
        elapsed = time.monotonic() - t0
    commit = report.git_commit()
    print(f"Council Hub benchmarks at {commit}; {environment()}; {elapsed:.0f} s")
    print()
    print(report.table(results))
    print()
    print("Checks (per socket: delivered == expected, no gap, no duplicate):")
    print(report.checks(results))
    print()
    print("Notes:")
    print(report.notes(results))
    if args.markdown:
        Path(args.markdown).write_text(
            f"Measured at {commit}; {environment()}; {elapsed:.0f} s.\n\n"
            + report.markdown_table(results)
            + "\n\n```\n"
            + report.checks(results)
            + "\n\n"
            + report.notes(results)
            + "\n```\n"
        )
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The results table (plain text for the terminal, Markdown for RESULTS.md)."""

from __future__ import annotations

import math
import os
import subprocess

from bench.context import Row, ScenarioResult
from bench.procs import REPO_ROOT

HEADERS = ("scenario", "N", "metric", "hub", "ref", "ref value", "ratio", "goal", "met")


def _num(value: float | None, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _cells(row: Row) -> tuple[str, ...]:
    ratio = row.ratio
    met = "" if row.met is None else ("yes" if row.met else "NO")
    return (
        row.scenario,
        row.size,
        row.metric,
        _num(row.hub, row.digits),
        row.ref_name,
        _num(row.ref, row.digits) if row.ref_name else "",
        f"{ratio:.2f}x" if ratio is not None else "",
        row.goal,
        met,
    )


def table(results: list[ScenarioResult]) -> str:
    rows = [_cells(r) for res in results for r in res.rows]
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)
    ]
    numeric = {3, 5, 6}

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [fmt(HEADERS), fmt(tuple("-" * w for w in widths))]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def markdown_table(results: list[ScenarioResult]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for res in results:
        for row in res.rows:
            lines.append("| " + " | ".join(_cells(row)) + " |")
    return "\n".join(lines)


def checks(results: list[ScenarioResult]) -> str:
    out = []
    for res in results:
        if res.error:
            out.append(
                f"{'SKIP' if res.error.startswith('skipped') else 'ERROR':6} "
                f"{res.name}: {res.error}"
            )
        for c in res.checks:
            out.append(c.line())
    return "\n".join(out)


def notes(results: list[ScenarioResult]) -> str:
    return "\n".join(n for res in results for n in res.notes)


def git_commit() -> str:
    """``git rev-parse --short HEAD`` (COUNCIL_HUB_BENCH_COMMIT names it when measuring an
    export of a commit, e.g. ``git archive HEAD``, which has no .git)."""
    named = os.environ.get("COUNCIL_HUB_BENCH_COMMIT")
    if named:
        return named
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "hub"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out + (" (hub/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"

"""The scenarios, in the order they run. Each module has ``NAME`` and ``async run(ctx) ->
ScenarioResult``; resident comment bursts and ingest (issue 4) are ``bursts``
and ``ingest``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bench.context import Context, ScenarioResult
from bench.scenarios import (
    bursts,
    fanout,
    ingest,
    join,
    memory,
    pages,
    resume,
    scale_out,
    slow_consumer,
)

Scenario = Callable[[Context], Awaitable[ScenarioResult]]

SCENARIOS: dict[str, Scenario] = {
    fanout.NAME: fanout.run,
    slow_consumer.NAME: slow_consumer.run,
    memory.NAME: memory.run,
    scale_out.NAME: scale_out.run,
    resume.NAME: resume.run,
    join.NAME: join.run,
    bursts.NAME: bursts.run,
    ingest.NAME: ingest.run,
    pages.NAME: pages.run,
}

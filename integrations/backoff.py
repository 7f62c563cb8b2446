"""How long a failing integration waits before trying again: exponential backoff with full
jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): a random wait between 0
and min(cap, base * 2**failures). The jitter spreads processes and councils that failed together
(a platform's outage) so they do not all come back in the same second."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BASE_S = 15.0  # a poll interval: the first retry is no sooner than a normal poll would be
CAP_S = 900.0  # 15 minutes: a source down all evening is still tried a few times an hour


def backoff_seconds(
    failures: int, *, base: float = BASE_S, cap: float = CAP_S, rng: random.Random | None = None
) -> float:
    """The wait after ``failures`` failures in a row (1 for the first)."""
    ceiling = min(cap, base * 2 ** max(0, min(failures - 1, 30)))
    return (rng or random).uniform(0, ceiling)


def not_before(reset_at: datetime | None, now: datetime, fallback: float) -> datetime:
    """When to try again after a rate limit: at the reset the platform announced (never in the
    past), or after ``fallback`` seconds when it announced none, so a 429 without a reset never
    turns into a loop."""
    if reset_at is not None and reset_at > now:
        return reset_at
    return now + timedelta(seconds=max(fallback, 1.0))

"""Backoff with full jitter stays within its doubling ceiling and its cap; a rate limit waits for
its reset, or for the fallback when it gave none (never zero: no spinning)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from integrations.backoff import backoff_seconds, not_before

NOW = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def test_full_jitter_within_the_doubling_ceiling_and_the_cap() -> None:
    rng = random.Random(7)
    for failures, ceiling in [(1, 15), (2, 30), (3, 60), (6, 480), (7, 900), (60, 900)]:
        waits = [backoff_seconds(failures, rng=rng) for _ in range(300)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # spread over the whole range, not a fixed step
        assert min(waits) < ceiling * 0.2


def test_rate_limit_waits_for_the_reset_or_the_fallback() -> None:
    reset = NOW + timedelta(minutes=7)
    assert not_before(reset, NOW, 60) == reset
    assert not_before(None, NOW, 60) == NOW + timedelta(seconds=60)
    assert not_before(NOW - timedelta(seconds=5), NOW, 60) == NOW + timedelta(seconds=60)
    assert not_before(None, NOW, 0) == NOW + timedelta(seconds=1)

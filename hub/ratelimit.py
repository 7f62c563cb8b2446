"""In-process token buckets for rate limits (staff sign-ins, residents' submissions).

Per process: behind a load balancer each process limits on its own, so the effective limit is
at most N times the figure, which is still a limit. Buckets are kept in an LRU bounded by
MAX_KEYS so an attacker rotating addresses cannot grow memory without bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

MAX_KEYS = 100_000


class RateLimiter:
    def __init__(
        self, capacity: int, per_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.rate = capacity / per_seconds
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, key: str, now: float) -> float:
        """The key's tokens now: what was left, refilled for the time since."""
        tokens, last = self._buckets.get(key, (float(self.capacity), now))
        return min(float(self.capacity), tokens + (now - last) * self.rate)

    def allow(self, key: str, cost: float = 1.0) -> bool:
        now = self._clock()
        tokens = self._level(key, now)
        self._buckets.pop(key, None)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return allowed

    def refund(self, key: str, cost: float = 1.0) -> None:
        """Give back what ``allow`` charged for something that then did not happen."""
        if key in self._buckets:
            tokens, last = self._buckets[key]
            self._buckets[key] = (min(float(self.capacity), tokens + cost), last)

    def would_allow(self, key: str, cost: float = 1.0) -> bool:
        """Whether ``allow`` would succeed now, without spending anything (check first, charge
        only what succeeds: a refused submission does not use up the resident's allowance)."""
        return self._level(key, self._clock()) >= cost

    def spent(self, key: str) -> float:
        """How much of the key's capacity is used now (0 for a key never charged)."""
        return self.capacity - self._level(key, self._clock())

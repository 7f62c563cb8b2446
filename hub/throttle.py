"""Staff sign-in throttling: wrong passwords stop the address that types them, and only slow
the account for everyone else, so nobody can keep a clerk out of their own meeting.

- Per address: 10 attempts per 5 minutes, whatever the accounts (one machine trying many).
- Per address and account: 5 per 5 minutes (one machine guessing one account; the owner's own
  typos). From any other address the owner still gets in.
- Per account, from anywhere: never a refusal (a limit any stranger can spend is a lockout they
  can cause), but a delay. Past 10 wrong passwords in about 15 minutes, each further one adds
  a quarter of a second before the next attempt on the account is checked, up to 3 seconds:
  a guesser spread over many addresses is slowed, the owner waits a moment at worst.

Attempts are charged before the password is checked (so parallel requests cannot overtake the
limit) and given back when it matches. Like every limit here these are per process
(hub/ratelimit.py), held in memory and never stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from hub.ratelimit import RateLimiter

PER_ADDRESS = (10, 300.0)
PER_ADDRESS_ACCOUNT = (5, 300.0)
# Wrong passwords an account takes from anywhere, per window, before attempts on it wait.
FREE_FAILURES = (10, 900.0)
DELAY_STEP_S = 0.25
MAX_DELAY_S = 3.0
# Retry-After on a refusal: the per address and account bucket gives back one attempt a minute.
RETRY_AFTER_S = int(PER_ADDRESS_ACCOUNT[1] / PER_ADDRESS_ACCOUNT[0])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    delay_s: float = 0.0  # to wait before checking the password, when allowed


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.by_address = RateLimiter(*PER_ADDRESS, clock=clock)
        self.by_pair = RateLimiter(*PER_ADDRESS_ACCOUNT, clock=clock)
        # Counts failures beyond the free ones (up to the delay's cap) and forgets them at the
        # free rate: a bucket that drains one token per failure and refills FREE per window.
        free, window = FREE_FAILURES
        capacity = free + round(MAX_DELAY_S / DELAY_STEP_S)
        self.failures = RateLimiter(capacity, capacity * window / free, clock=clock)
        self._free = free

    def attempt(self, address: str, account: str) -> Verdict:
        """Charge one attempt from ``address`` on ``account`` (its normalised email)."""
        pair = _pair(address, account)
        if not self.by_pair.would_allow(pair) or not self.by_address.allow(address):
            return Verdict(False)
        self.by_pair.allow(pair)
        excess = self.failures.spent(account) - self._free
        return Verdict(True, min(MAX_DELAY_S, max(0.0, excess) * DELAY_STEP_S))

    def failed(self, account: str) -> None:
        self.failures.allow(account)

    def succeeded(self, address: str, account: str) -> None:
        """The password matched: the attempt costs its address nothing."""
        self.by_address.refund(address)
        self.by_pair.refund(_pair(address, account))


def _pair(address: str, account: str) -> str:
    return f"{address} {account}"

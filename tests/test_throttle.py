"""Sign-in throttling (hub/throttle.py), on its own clock: wrong passwords stop the address
that types them, and slow (never stop) the account for everyone else."""

from __future__ import annotations

from hub.throttle import MAX_DELAY_S, PER_ADDRESS, PER_ADDRESS_ACCOUNT, SignInThrottle, Verdict

CLERK = "clerk@aberglas.invalid"


def _throttle() -> tuple[SignInThrottle, list[float]]:
    now = [0.0]
    return SignInThrottle(clock=lambda: now[0]), now


def _fail(throttle: SignInThrottle, address: str, account: str = CLERK) -> Verdict:
    """An attempt with a wrong password."""
    verdict = throttle.attempt(address, account)
    if verdict.allowed:
        throttle.failed(account)
    return verdict


def test_an_address_guessing_one_account_is_stopped_there_only() -> None:
    throttle, _now = _throttle()
    for _ in range(PER_ADDRESS_ACCOUNT[0]):
        assert _fail(throttle, "203.0.113.1").allowed
    assert not _fail(throttle, "203.0.113.1").allowed
    # The owner, from anywhere else, still gets to try; so does that address for other accounts.
    assert throttle.attempt("198.51.100.7", CLERK).allowed
    assert throttle.attempt("203.0.113.1", "admin@hub.invalid").allowed


def test_an_address_guessing_many_accounts_is_stopped() -> None:
    throttle, _now = _throttle()
    for n in range(PER_ADDRESS[0]):
        assert _fail(throttle, "203.0.113.1", f"user{n}@x.invalid").allowed
    assert not _fail(throttle, "203.0.113.1", "another@x.invalid").allowed


def test_the_allowance_comes_back_with_time_and_success() -> None:
    throttle, now = _throttle()
    for _ in range(PER_ADDRESS_ACCOUNT[0]):
        _fail(throttle, "203.0.113.1")
    assert not throttle.attempt("203.0.113.1", CLERK).allowed
    now[0] += PER_ADDRESS_ACCOUNT[1] / PER_ADDRESS_ACCOUNT[0]  # one attempt's worth
    assert throttle.attempt("203.0.113.1", CLERK).allowed
    throttle.succeeded("203.0.113.1", CLERK)  # a sign-in that worked costs nothing
    assert throttle.attempt("203.0.113.1", CLERK).allowed


def test_an_account_under_attack_from_everywhere_is_slowed_never_locked() -> None:
    throttle, _now = _throttle()
    delays = []
    for n in range(200):  # 200 wrong passwords from 40 addresses
        verdict = _fail(throttle, f"203.0.{n % 40}.1")
        assert verdict.allowed
        delays.append(verdict.delay_s)
    assert delays[0] == 0.0
    assert delays == sorted(delays), "the delay only grows while the attack goes on"
    assert delays[-1] == MAX_DELAY_S
    # The owner is still let in, after the same short wait; other accounts do not wait.
    assert throttle.attempt("198.51.100.7", CLERK) == Verdict(True, MAX_DELAY_S)
    assert throttle.attempt("198.51.100.7", "admin@hub.invalid") == Verdict(True, 0.0)

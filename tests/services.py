"""Which outside services the tests can reach, and what to do when one is missing.

On a newcomer's laptop a missing PostgreSQL, Redis or Chromium skips the tests that need it,
with a reason naming what to install. In CI (CI=true) it fails them: CI must run everything.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import uuid
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any, TypeVar

import pytest

POSTGRES_URL = os.environ.get(
    "COUNCIL_HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("COUNCIL_HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Redis pub/sub channels are global to the server: this process's tests (a run, or one of its
# workers) publish under a prefix of their own, so runs side by side never hear each other.
REDIS_PREFIX = f"council-hub-test-{uuid.uuid4().hex[:8]}"
T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(what: str, how: str) -> None:
    message = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI must run every test, but {message}", pytrace=False)
    pytest.skip(message)


async def _postgres_ok() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def _redis_ok() -> bool:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        return bool(await client.ping())
    except (RedisError, OSError):
        return False
    finally:
        await client.aclose()


def run_sync(coro_fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # Fixtures may run inside the test's event loop: check from a thread with its own loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result()


@cache
def postgres_available() -> bool:
    return run_sync(_postgres_ok)


@cache
def redis_available() -> bool:
    return run_sync(_redis_ok)


def require_postgres() -> None:
    if not postgres_available():
        missing(
            "PostgreSQL", f"start it or set COUNCIL_HUB_TEST_POSTGRES_URL (tried {POSTGRES_URL})"
        )


def require_redis() -> None:
    if not redis_available():
        missing("Redis", f"start it or set COUNCIL_HUB_TEST_REDIS_URL (tried {REDIS_URL})")


def redis_url(prefix: str = REDIS_PREFIX) -> str:
    """The test Redis, its channels under ``prefix`` (hub/broker/redis.py)."""
    return f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}prefix={prefix}"


def chromium_path() -> str | None:
    """Debian's Chromium if installed; None means use Playwright's own browser."""
    for candidate in (
        os.environ.get("COUNCIL_HUB_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None

"""The broker contract, run on every backend (memory and Redis)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from hub.broker import create_broker
from tests import services as svc


async def _wait_for(predicate, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.005)


async def test_publish_reaches_subscribers_in_order(broker_url: str) -> None:
    broker = create_broker(broker_url)
    await broker.start()
    channel = f"test:{uuid.uuid4().hex}"
    got_a: list[bytes] = []
    got_b: list[bytes] = []
    try:
        await broker.subscribe(channel, got_a.append)
        sub_b = await broker.subscribe(channel, got_b.append)
        for i in range(100):
            await broker.publish(channel, f"m{i}".encode())
        await _wait_for(lambda: len(got_a) == 100 and len(got_b) == 100)
        assert got_a == [f"m{i}".encode() for i in range(100)]
        assert got_b == got_a
        await sub_b.unsubscribe()
        await broker.publish(channel, b"after")
        await _wait_for(lambda: len(got_a) == 101)
        await asyncio.sleep(0.05)
        assert len(got_b) == 100
    finally:
        await broker.close()


async def test_channels_are_separate(broker_url: str) -> None:
    broker = create_broker(broker_url)
    await broker.start()
    one, two = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    got: list[bytes] = []
    try:
        await broker.subscribe(one, got.append)
        await broker.publish(two, b"not for you")
        await broker.publish(one, b"for you")
        await _wait_for(lambda: got == [b"for you"])
    finally:
        await broker.close()


async def test_redis_publishes_cross_connection(redis_url: str) -> None:
    """Two brokers (as two processes would have) see each other's messages."""
    a, b = create_broker(redis_url), create_broker(redis_url)
    await a.start()
    await b.start()
    channel = f"test:{uuid.uuid4().hex}"
    got: list[bytes] = []
    try:
        await b.subscribe(channel, got.append)
        await a.publish(channel, b"hello from a")
        await _wait_for(lambda: got == [b"hello from a"])
    finally:
        await a.close()
        await b.close()


async def test_a_prefix_keeps_deployments_on_one_redis_apart(redis_url: str) -> None:
    """Pub/sub channels are global to a Redis server, whatever the database number: two
    deployments sharing one (``?prefix=`` apart) never hear each other; one prefix hears
    itself."""
    a, b = f"a-{uuid.uuid4().hex}", f"b-{uuid.uuid4().hex}"
    ours, ours_too, theirs, theirs_too = (
        create_broker(svc.redis_url(prefix)) for prefix in (a, a, b, b)
    )
    for broker in (ours, ours_too, theirs, theirs_too):
        await broker.start()
    got_ours: list[bytes] = []
    got_theirs: list[bytes] = []
    try:
        await ours.subscribe("council-hub:meeting:1", got_ours.append)
        await theirs.subscribe("council-hub:meeting:1", got_theirs.append)
        # Redis queues each message to every subscriber before it takes the next: a leak of
        # the first would reach `theirs` before the second.
        await ours_too.publish("council-hub:meeting:1", b"for a")
        await theirs_too.publish("council-hub:meeting:1", b"for b")
        await _wait_for(lambda: got_ours == [b"for a"] and got_theirs == [b"for b"])
    finally:
        for broker in (ours, ours_too, theirs, theirs_too):
            await broker.close()


def test_unknown_broker_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported broker URL"):
        create_broker("kafka://nope")

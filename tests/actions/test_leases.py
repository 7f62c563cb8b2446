"""Leases: exactly one holder at a time; an expired lease is taken over; a released one at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hub.actions.leases import claim, release
from hub.broker.memory import MemoryBroker
from hub.events.publish import writing
from hub.leadership import Leadership
from hub.models import utcnow
from hub.types import SessionFactory

TTL = timedelta(seconds=30)


async def _claim(sessionmaker: SessionFactory, holder: str, at_s: float = 0) -> bool:
    async with writing(sessionmaker, MemoryBroker()) as w:
        return await claim(w, "poll", holder, TTL, utcnow() + timedelta(seconds=at_s))


async def test_one_holder_until_it_expires(sessionmaker: SessionFactory) -> None:
    assert await _claim(sessionmaker, "a")
    assert not await _claim(sessionmaker, "b")
    assert await _claim(sessionmaker, "a", at_s=20)  # renewed: now good until 50 s
    assert not await _claim(sessionmaker, "b", at_s=40)
    assert await _claim(sessionmaker, "b", at_s=51)  # a stopped renewing: b takes over
    assert not await _claim(sessionmaker, "a", at_s=52)


async def test_release_lets_another_take_it_at_once(sessionmaker: SessionFactory) -> None:
    assert await _claim(sessionmaker, "a")
    async with writing(sessionmaker, MemoryBroker()) as w:
        await release(w, "poll", "b")  # not b's to release: nothing happens
    assert not await _claim(sessionmaker, "b")
    async with writing(sessionmaker, MemoryBroker()) as w:
        await release(w, "poll", "a")
    assert await _claim(sessionmaker, "b")


async def test_concurrent_claims_have_one_winner(sessionmaker: SessionFactory) -> None:
    leads = [Leadership(sessionmaker, MemoryBroker(), "poll", holder=f"p{i}") for i in range(6)]
    results = await asyncio.gather(*(lead.renew() for lead in leads))
    assert sum(results) == 1
    winner = leads[results.index(True)]
    await winner.give_up()
    assert sum(await asyncio.gather(*(lead.renew() for lead in leads if lead is not winner))) == 1

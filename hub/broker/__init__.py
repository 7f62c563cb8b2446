"""Brokers carry news of committed events between app processes, chosen by URL.

The broker is never the source of truth: a lost message is healed from the event log
(hub/live/channel.py), so a broker only has to be fast, not reliable.
"""

from __future__ import annotations

from hub.broker.base import Broker, MessageHandler, Subscription


def create_broker(url: str) -> Broker:
    if url.startswith("memory://"):
        from hub.broker.memory import MemoryBroker

        return MemoryBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from hub.broker.redis import RedisBroker

        return RedisBroker(url)
    raise ValueError(f"unsupported broker URL {url!r}: use memory:// or redis://")


__all__ = ["Broker", "MessageHandler", "Subscription", "create_broker"]

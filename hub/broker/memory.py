"""In-process broker: the embedded default for a single app process."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from hub.broker.base import MessageHandler, ResyncHandler


class _MemorySubscription:
    def __init__(self, broker: MemoryBroker, channel: str, handler: MessageHandler) -> None:
        self._broker = broker
        self._channel = channel
        self._handler = handler

    async def unsubscribe(self) -> None:
        handlers = self._broker._handlers.get(self._channel)
        if handlers and self._handler in handlers:
            handlers.remove(self._handler)
            if not handlers:
                del self._broker._handlers[self._channel]


class MemoryBroker:
    def __init__(self) -> None:
        self._handlers: dict[str, list[MessageHandler]] = defaultdict(list)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._handlers.clear()

    async def publish(self, channel: str, message: bytes) -> None:
        # Delivered on the next loop iteration, as a network broker would: a publisher never
        # runs subscribers' fan-out inside its own request.
        loop = asyncio.get_running_loop()
        for handler in list(self._handlers.get(channel, ())):
            loop.call_soon(handler, message)

    async def subscribe(
        self, channel: str, handler: MessageHandler, on_resync: ResyncHandler | None = None
    ) -> _MemorySubscription:
        self._handlers[channel].append(handler)
        return _MemorySubscription(self, channel, handler)

"""The broker contract every backend passes (tests/broker/test_broker.py runs it on each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

# Called on the event loop for each message, in publish order per publisher. It must not block:
# the stream's handler only appends to in-memory structures and writes to transports.
MessageHandler = Callable[[bytes], None]
# Called after the broker reconnects: messages may have been lost meanwhile, so subscribers
# re-read the log.
ResyncHandler = Callable[[], None]


class Subscription(Protocol):
    async def unsubscribe(self) -> None: ...


class Broker(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, channel: str, message: bytes) -> None: ...

    async def subscribe(
        self, channel: str, handler: MessageHandler, on_resync: ResyncHandler | None = None
    ) -> Subscription: ...

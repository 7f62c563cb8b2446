"""Redis pub/sub broker for several app processes. The only module that imports redis.

One pub/sub connection per process carries every meeting channel it follows. If Redis drops,
the reader reconnects with capped, jittered backoff, re-subscribes and tells subscribers to
re-read the log, since pub/sub does not keep what was published while it was away.

Pub/sub channels are global to a Redis server, whatever the database number in the URL: two
deployments sharing one server (staging beside production, or two test runs) would hear each
other's meetings. ``?prefix=NAME`` in the URL puts every channel of this deployment under
``NAME:``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hub.broker.base import MessageHandler, ResyncHandler

log = logging.getLogger(__name__)

RECONNECT_MIN_S = 0.2
RECONNECT_MAX_S = 5.0
KEEPALIVE_CHANNEL = "council-hub:keepalive"


def split_prefix(url: str) -> tuple[str, str]:
    """The URL without its ``prefix`` parameter (redis-py refuses one it does not know), and
    what goes before every channel name: ``NAME:``, or nothing."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [value for key, value in query if key == "prefix"]
    rest = urlencode([(key, value) for key, value in query if key != "prefix"])
    prefix = f"{names[-1]}:" if names and names[-1] else ""
    return urlunsplit(parts._replace(query=rest)), prefix


class _RedisSubscription:
    def __init__(self, broker: RedisBroker, channel: str, handler: MessageHandler) -> None:
        self._broker = broker
        self._channel = channel
        self._handler = handler

    async def unsubscribe(self) -> None:
        await self._broker._remove(self._channel, self._handler)


class RedisBroker:
    def __init__(self, url: str) -> None:
        self._url, self._prefix = split_prefix(url)
        self._client: aioredis.Redis | None = None
        self._pubsub: aioredis.client.PubSub | None = None
        self._handlers: dict[str, list[MessageHandler]] = defaultdict(list)
        self._resync: dict[str, list[ResyncHandler]] = defaultdict(list)
        self._reader: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def start(self) -> None:
        self._client = aioredis.from_url(self._url)
        await self._client.ping()  # fail fast at start-up on a wrong URL
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        # A pub/sub connection needs one subscription before it can be read from.
        await self._pubsub.subscribe(self._prefix + KEEPALIVE_CHANNEL)
        self._connected.set()
        self._reader = asyncio.create_task(self._read_loop(), name="redis-broker-reader")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        if self._client is not None:
            await self._client.aclose()

    async def publish(self, channel: str, message: bytes) -> None:
        assert self._client is not None, "broker not started"
        await self._client.publish(self._prefix + channel, message)

    async def subscribe(
        self, channel: str, handler: MessageHandler, on_resync: ResyncHandler | None = None
    ) -> _RedisSubscription:
        assert self._pubsub is not None, "broker not started"
        channel = self._prefix + channel  # the name on the server, from here on
        first = channel not in self._handlers
        self._handlers[channel].append(handler)
        if on_resync is not None:
            self._resync[channel].append(on_resync)
        if first:
            await self._pubsub.subscribe(channel)
        return _RedisSubscription(self, channel, handler)

    async def _remove(self, channel: str, handler: MessageHandler) -> None:
        handlers = self._handlers.get(channel)
        if not handlers or handler not in handlers:
            return
        handlers.remove(handler)
        if not handlers:
            del self._handlers[channel]
            self._resync.pop(channel, None)
            if self._pubsub is not None:
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.unsubscribe(channel)

    async def _read_loop(self) -> None:
        assert self._pubsub is not None
        delay = RECONNECT_MIN_S
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
                delay = RECONNECT_MIN_S
            except (RedisError, OSError) as exc:
                log.warning("redis broker lost its connection (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, RECONNECT_MAX_S)
                await self._reconnect()
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            for handler in list(self._handlers.get(channel, ())):
                try:
                    handler(message["data"])
                except Exception:  # one bad subscriber must not stop the others
                    log.exception("broker handler failed on %s", channel)

    async def _reconnect(self) -> None:
        assert self._pubsub is not None
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        assert self._client is not None
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        try:
            await self._pubsub.subscribe(self._prefix + KEEPALIVE_CHANNEL, *self._handlers.keys())
        except (RedisError, OSError):
            return  # the read loop will back off and try again
        for handlers in list(self._resync.values()):
            for resync in handlers:
                resync()

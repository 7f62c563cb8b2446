"""The long-lived things one app process owns, created and closed by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.agenda_sync import AgendaSync
from hub.broker import Broker, create_broker
from hub.db import create_engine, create_sessionmaker
from hub.housekeeping import Housekeeping
from hub.intake import Intake
from hub.live.streams import LiveStreams
from hub.ratelimit import RateLimiter
from hub.secrets import Secrets
from hub.settings import Settings
from hub.throttle import SignInThrottle
from integrations.social.runner import SocialRunner


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    broker: Broker
    streams: LiveStreams
    sign_ins: SignInThrottle = field(default_factory=SignInThrottle)
    _limiters: dict[tuple[int, float], RateLimiter] = field(default_factory=dict)
    intake: Intake = field(init=False)
    housekeeping: Housekeeping = field(init=False)
    secrets: Secrets = field(init=False)
    # The social poller (None when this process takes no part: COUNCIL_HUB_SOCIAL_POLLING).
    social: SocialRunner | None = field(init=False, default=None)
    agenda_sync: AgendaSync = field(init=False)

    def __post_init__(self) -> None:
        self.intake = Intake(self.sessionmaker, self.broker, self.limiter)
        self.housekeeping = Housekeeping(self.sessionmaker, self.broker)
        self.secrets = Secrets(self.settings.credentials_key)
        if self.settings.social_polling:
            self.social = SocialRunner(
                self.sessionmaker,
                self.broker,
                self.secrets,
                poll_s=self.settings.social_poll_seconds,
                lease_ttl=timedelta(seconds=self.settings.lease_seconds),
            )
        self.agenda_sync = AgendaSync(self.sessionmaker, self.broker, secrets=self.secrets)

    def limiter(self, capacity: int, per_seconds: float) -> RateLimiter:
        """A shared limiter for one (capacity, period): councils set their own capacities."""
        key = (capacity, per_seconds)
        if key not in self._limiters:
            self._limiters[key] = RateLimiter(capacity, per_seconds)
        return self._limiters[key]

    @classmethod
    async def start(cls, settings: Settings) -> Services:
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        broker = create_broker(settings.broker_url)
        try:
            await broker.start()
        except BaseException:
            await engine.dispose()
            raise
        streams = LiveStreams(
            sessionmaker,
            broker,
            heartbeat_s=settings.heartbeat_seconds,
            coalesce_s=settings.coalesce_ms / 1000,
        )
        services = cls(settings, engine, sessionmaker, broker, streams)
        services.housekeeping.start()
        if services.social is not None:
            services.social.start()
        if settings.agenda_sync:
            services.agenda_sync.start()
        return services

    async def close(self) -> None:
        await self.agenda_sync.close()  # gives the lease up: another process takes over at once
        if self.social is not None:
            await self.social.close()  # gives the lease up: another process polls at once
        await self.housekeeping.close()
        await self.intake.close()  # residents' queued submissions are committed, not dropped
        await self.streams.close()
        await self.broker.close()
        await self.engine.dispose()

"""A configured source opened as its module's class (the one place that maps a kind to it)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from integrations.agendas import _http
from integrations.agendas.ical import ICalSource
from integrations.agendas.legistar import DEFAULT_BASE, LegistarSource
from integrations.agendas.models import AgendaSource, Kind
from integrations.agendas.moderngov import ModernGovSource
from integrations.agendas.ocd import OcdSource


@dataclass(frozen=True)
class SourceConfig:
    kind: Kind
    url: str
    client: str | None = None
    token: str | None = None
    committees: tuple[str, ...] = ()
    welsh_url: str | None = None  # Modern.gov: the council's Welsh site


def open_source(
    config: SourceConfig,
    zone: str,
    *,
    timeout: httpx.Timeout | float = _http.TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AgendaSource:
    if config.kind is Kind.MODERNGOV:
        return ModernGovSource(
            config.url,
            zone,
            committees=config.committees,
            welsh_url=config.welsh_url,
            timeout=timeout,
            transport=transport,
        )
    if config.kind is Kind.LEGISTAR:
        return LegistarSource(
            config.client or "",
            zone,
            base_url=config.url or DEFAULT_BASE,
            token=config.token,
            timeout=timeout,
            transport=transport,
        )
    if config.kind is Kind.OCD:
        return OcdSource(config.url, zone, timeout=timeout, transport=transport)
    return ICalSource(config.url, zone, timeout=timeout, transport=transport)

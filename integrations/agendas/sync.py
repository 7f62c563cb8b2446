"""One import from one source: fetch a range of meetings and store each through
hub/actions/ingest.py in a transaction of its own, so a meeting that fails (at the source, or
when stored) leaves nothing half-written and is named with why, while the others are stored.
Used by ``council-hub import`` (with progress on the terminal) and by the scheduled sync
(hub/agenda_sync.py). The source's health is recorded by the caller (hub/actions/agenda_sources)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import httpx
from sqlalchemy import select

from hub.actions.ingest import SourceRef, Stored, store_meeting
from hub.broker import Broker
from hub.events.publish import writing
from hub.models import AgendaSource, Council
from hub.secrets import Secrets, Unreadable
from hub.types import SessionFactory
from integrations.agendas import _http
from integrations.agendas.models import ImportedMeeting, Kind, MeetingFailure, SourceError
from integrations.agendas.sources import SourceConfig, open_source

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """A meeting that was not stored, named as an operator finds it."""

    council: str
    source: str
    meeting: str  # its label at the source ("Audit Committee on 10/02/2026")
    external_id: str
    reason: str

    def __str__(self) -> str:
        ident = f" [{self.external_id}]" if self.external_id else ""
        return f"{self.council} / {self.source} / {self.meeting}{ident}: {self.reason}"


@dataclass
class Report:
    council: str
    source: str
    fetched: int = 0  # meetings the source gave (stored or not)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    items: int = 0
    failures: list[Failure] = field(default_factory=list)
    # The source as a whole failed (its listing could not be read): nothing came.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def problem(self) -> str | None:
        """The health line staff see: the whole source's failure, or the meetings that failed."""
        if self.error is not None:
            return self.error
        if self.failures:
            first = self.failures[0]
            more = f" (and {len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
            return f"{first.meeting}: {first.reason}{more}"
        return None


# Progress: called after each meeting, stored or failed (the command prints a line).
Progress = Callable[[Report, ImportedMeeting | Failure, Stored | None], None]


class TokenUnreadable(SourceError):
    """The source's stored API token cannot be decrypted with this hub's key."""


def config_of(source: AgendaSource, secrets: Secrets) -> SourceConfig:
    """What opening the source needs. Its API token (Legistar's, where a client needs one) is
    stored encrypted (hub/secrets.py) and decrypted only here, into the request it is sent in."""
    token = None
    if source.token:
        try:
            token = secrets.decrypt(source.token).get("token")
        except Unreadable:
            raise TokenUnreadable(
                "its stored API token cannot be read with this hub's key (was "
                "COUNCIL_HUB_CREDENTIALS_KEY changed?): remove the source and add it again"
            ) from None
    return SourceConfig(
        kind=Kind(source.kind),
        url=source.url,
        client=source.client,
        token=token,
        committees=tuple(source.committees.split()),
        welsh_url=source.welsh_url,
    )


async def import_range(
    sessionmaker: SessionFactory,
    broker: Broker,
    source_id: int,
    start: date,
    end: date,
    *,
    progress: Progress | None = None,
    secrets: Secrets | None = None,
    http_timeout: httpx.Timeout | float = _http.TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Report:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                select(AgendaSource, Council)
                .join(Council, Council.id == AgendaSource.council_id)
                .where(AgendaSource.id == source_id)
            )
        ).first()
    if row is None:
        raise LookupError(f"no agenda source {source_id}")
    source, council = row
    report = Report(council.slug, source.name)
    ref = SourceRef(source.key, source.name)
    try:
        config = config_of(source, secrets or Secrets(()))
    except TokenUnreadable as exc:
        report.error = str(exc)
        return report
    fetcher = open_source(config, council.timezone, timeout=http_timeout, transport=transport)
    try:
        async for fetched in fetcher.meetings(start, end):
            report.fetched += 1
            if isinstance(fetched, MeetingFailure):
                failure = Failure(
                    council.slug, source.name, fetched.label, fetched.external_id, fetched.reason
                )
                report.failures.append(failure)
                if progress:
                    progress(report, failure, None)
                continue
            try:
                async with writing(sessionmaker, broker) as w:
                    stored = await store_meeting(w, council.id, ref, fetched)
            except Exception as exc:  # one meeting's failure never stops the others
                logger.warning(
                    "agenda import %s/%s: meeting %s not stored: %s",
                    council.slug,
                    source.name,
                    fetched.external_id,
                    _http.describe(exc),
                )
                failure = Failure(
                    council.slug,
                    source.name,
                    f"{fetched.title} on {fetched.starts_at:%Y-%m-%d}",
                    fetched.external_id,
                    f"not stored: {_http.describe(exc)}",
                )
                report.failures.append(failure)
                if progress:
                    progress(report, failure, None)
                continue
            report.items += stored.items
            if stored.created:
                report.created += 1
            elif stored.changed:
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(report, fetched, stored)
    except SourceError as exc:
        report.error = str(exc)
    finally:
        await fetcher.aclose()
    return report

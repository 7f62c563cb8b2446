"""Agenda sources: adding and removing a council's sources, and recording each sync's outcome
(the health staff see: last success, last error in words, when it is tried next)."""

from __future__ import annotations

import hashlib
import random
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.audit import record
from hub.events.publish import Writer
from hub.models import AgendaSource
from hub.queries.councils import council_by_slug
from hub.secrets import Secrets
from integrations.agendas.legistar import DEFAULT_BASE as LEGISTAR_BASE
from integrations.agendas.models import Kind
from integrations.backoff import backoff_seconds

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
ERROR_MAX = 1000


def source_key(council_id: int, kind: Kind, url: str, client: str | None) -> str:
    """What the source's meetings carry as ``source``: its kind and a hash of its council and
    address (stable if the source is removed and added again; 32 characters at most)."""
    digest = hashlib.sha256(f"{council_id}|{kind}|{url}|{client or ''}".encode()).hexdigest()
    return f"{kind.value}:{digest[:20]}"


# A Legistar API token is stored encrypted (hub/secrets.py) in agenda_sources.token (300
# characters): a Fernet token of up to 150 characters' JSON fits.
TOKEN_MAX_CHARS = 150


def stored_token(secrets: Secrets, token: str | None) -> str | None:
    """A source's API token as it is stored: encrypted, never the token itself. Invalid when it
    is too long, or when this hub has no key to store credentials with (hub/secrets.py)."""
    token = (token or "").strip()
    if not token:
        return None
    if len(token) > TOKEN_MAX_CHARS:
        raise Invalid(f"an API token is at most {TOKEN_MAX_CHARS} characters")
    return secrets.encrypt({"token": token})


async def add_source(
    w: Writer,
    *,
    council_slug: str,
    name: str,
    kind: str,
    url: str | None,
    client: str | None = None,
    token: str | None = None,
    committees: str = "",
    welsh_url: str | None = None,
    allow_files: bool = False,
    actor: Actor | None = None,
) -> AgendaSource:
    """A new source for a council. ``url``: the Modern.gov site, the Legistar Web API base
    (default: Legistar's own), or an OCD or iCalendar file or URL. Files (a path on this
    machine) only when ``allow_files`` (the command line, never the web). ``token``: as
    ``stored_token`` made it (encrypted)."""
    council = await council_by_slug(w.session, council_slug)
    if council is None:
        raise NotFound(f"no council {council_slug!r}")
    try:
        source_kind = Kind(kind)
    except ValueError:
        raise Invalid(f"unknown kind {kind!r}: use one of {', '.join(Kind)}") from None
    name = name.strip().lower()
    if not _NAME.match(name):
        raise Invalid("a source's name is 1-100 lower-case letters, digits, '.', '_' or '-'")
    url = (url or "").strip()
    if source_kind is Kind.LEGISTAR:
        url = url or LEGISTAR_BASE
        client = (client or "").strip()
        if not client:
            raise Invalid("a Legistar source needs its client name (as in /v1/{client}/events)")
    else:
        client = None
        token = None
    welsh = (welsh_url or "").strip()
    if source_kind is not Kind.MODERNGOV:
        committees = ""
        welsh = ""
    if welsh and not welsh.startswith(("https://", "http://")):
        raise Invalid("a Welsh site's address must be an http(s) URL")
    if len(welsh) > 500:
        raise Invalid("a Welsh site's address is longer than 500 characters")
    if not url:
        raise Invalid("a source needs its address (a URL, or a file for OCD and iCalendar)")
    files_ok = allow_files and source_kind in (Kind.OCD, Kind.ICAL)
    if not url.startswith(("https://", "http://")) and not files_ok:
        raise Invalid("a source's address must be an http(s) URL")
    if len(url) > 500:
        raise Invalid("a source's address is longer than 500 characters")
    committee_ids = committees.replace(",", " ").split()
    if any(not c.isdigit() for c in committee_ids):
        raise Invalid("Modern.gov committee ids are numbers (as in GetCommittees)")
    taken = await w.session.scalar(
        select(AgendaSource.id).where(
            AgendaSource.council_id == council.id, AgendaSource.name == name
        )
    )
    if taken is not None:
        raise Conflict(f"{council_slug} already has a source named {name!r}")
    key = source_key(council.id, source_kind, url, client)
    if await w.session.scalar(select(AgendaSource.id).where(AgendaSource.key == key)):
        raise Conflict(f"{council_slug} already imports from this address")
    source = AgendaSource(
        council_id=council.id,
        name=name,
        kind=source_kind.value,
        url=url,
        client=client or None,
        token=(token or "").strip() or None,
        committees=" ".join(committee_ids),
        welsh_url=welsh or None,
        key=key,
        enabled=True,
        failures=0,
        meetings_seen=0,
    )
    w.session.add(source)
    await w.session.flush()
    # Its name and kind: not its address, which can carry a key in its query string.
    await record(
        w,
        council_id=council.id,
        actor=actor,
        action="agenda_source.added",
        details={"name": name, "kind": source_kind.value},
    )
    return source


async def remove_source(
    w: Writer, *, council_slug: str, name: str, actor: Actor | None = None
) -> None:
    """Stop importing from a source. Its meetings stay (with their comments); adding the same
    source again finds them again."""
    council = await council_by_slug(w.session, council_slug)
    if council is None:
        raise NotFound(f"no council {council_slug!r}")
    source = await w.session.scalar(
        select(AgendaSource).where(
            AgendaSource.council_id == council.id, AgendaSource.name == name.strip().lower()
        )
    )
    if source is None:
        raise NotFound(f"{council_slug} has no source named {name!r}")
    await w.session.delete(source)
    await w.session.flush()
    await record(
        w,
        council_id=council.id,
        actor=actor,
        action="agenda_source.removed",
        details={"name": source.name},
    )


async def record_sync(
    w: Writer,
    source_id: int,
    *,
    now: datetime,
    ok: bool,
    error: str | None,
    meetings_seen: int,
    interval: timedelta | None,
    rng: random.Random | None = None,
) -> AgendaSource | None:
    """A sync's outcome. ``ok``: the source's listing was read (meetings that failed alone are
    named in ``error`` all the same), and the next sync is ``interval`` later; not ok counts a
    failure in a row, and the next try waits for the backoff (full jitter, ``rng``). No
    ``interval`` (an import from the command line): the scheduled sync takes it up when due."""
    source = await w.session.get(AgendaSource, source_id, with_for_update=True)
    if source is None:
        return None  # removed while it synced
    source.last_attempt_at = now
    source.last_error = error[:ERROR_MAX] if error else None
    if ok:
        source.last_success_at = now
        source.failures = 0
        source.meetings_seen = meetings_seen
        source.next_sync_at = now + interval if interval is not None else None
    else:
        source.failures += 1
        wait = timedelta(seconds=backoff_seconds(source.failures, rng=rng))
        source.next_sync_at = now + wait if interval is not None else None
    await w.session.flush()
    return source

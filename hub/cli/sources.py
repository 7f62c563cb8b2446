"""``council-hub sources add|list|remove`` and ``council-hub import``: where a council's
meetings come from (Modern.gov, Legistar, Open Civic Data, iCalendar; docs/agendas.md), and
importing a range of them now, with progress on the terminal and a summary at the end."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import ActionError
from hub.actions.agenda_sources import add_source, record_sync, remove_source, stored_token
from hub.actions.ingest import Stored
from hub.broker import create_broker
from hub.cli._run import act, read
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import Writer, writing
from hub.models import AgendaSource, Council, utcnow
from hub.queries.agenda_sources import source_named, sources_of
from hub.queries.councils import council_by_slug
from hub.secrets import Secrets
from hub.settings import Settings
from integrations.agendas.models import ImportedMeeting, Kind
from integrations.agendas.sync import Failure, Report, import_range


def cmd_add(settings: Settings, args: argparse.Namespace) -> None:
    token = stored_token(Secrets(settings.credentials_key), args.token)

    async def add(w: Writer) -> AgendaSource:
        return await add_source(
            w,
            council_slug=args.council,
            name=args.name,
            kind=args.kind,
            url=args.url,
            client=args.client,
            token=token,
            committees=args.committees or "",
            welsh_url=args.welsh_url,
            allow_files=True,
        )

    source = act(settings, add)
    print(f"added source {source.name} ({source.kind}) to {args.council}: {source.url}")


def _health(source: AgendaSource) -> str:
    if source.last_attempt_at is None:
        return "never synced"
    when = (
        source.last_success_at.isoformat(timespec="minutes") if source.last_success_at else "never"
    )
    if source.last_error:
        return f"last success {when}; last error: {source.last_error}"
    return f"last success {when}; {source.meetings_seen} meetings"


def cmd_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[tuple[str, AgendaSource]]:
        council_id = None
        if args.council:
            council = await council_by_slug(session, args.council)
            if council is None:
                raise ActionError(f"no council {args.council!r}")
            council_id = council.id
        slugs = {c.id: c.slug for c in (await session.execute(select(Council))).scalars()}
        return [(slugs[s.council_id], s) for s in await sources_of(session, council_id)]

    try:
        listed = read(settings, rows)
    except ActionError as exc:
        sys.exit(f"error: {exc.message}")
    for slug, s in listed:
        where = f"{s.url} client={s.client}" if s.client else s.url
        print(f"{slug}\t{s.name}\t{s.kind}\t{where}\t{_health(s)}")


def cmd_remove(settings: Settings, args: argparse.Namespace) -> None:
    async def remove(w: Writer) -> None:
        await remove_source(w, council_slug=args.council, name=args.name)

    act(settings, remove)
    print(f"removed source {args.name} from {args.council} (its meetings stay)")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Terminal:
    """Progress as the import goes: a line per meeting (stderr), a summary at the end."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(
        self, report: Report, what: ImportedMeeting | Failure, stored: Stored | None
    ) -> None:
        if isinstance(what, Failure):
            line = f"  FAILED  {what.meeting} [{what.external_id or '?'}]: {what.reason}"
        else:
            assert stored is not None
            state = "new" if stored.created else "updated" if stored.changed else "unchanged"
            cancelled = " (cancelled)" if what.state == "cancelled" else ""
            line = (
                f"  {state:<9} {what.starts_at:%Y-%m-%d %H:%M} {what.title}{cancelled}: "
                f"{stored.items} items"
            )
        totals = f"[{report.fetched} fetched, {report.items} items, {len(report.failures)} failed]"
        print(f"{line}  {totals}", file=self.stream, flush=True)


def summary(report: Report) -> str:
    head = f"{report.council} / {report.source}: "
    if report.error is not None:
        return head + f"FAILED, nothing imported: {report.error}"
    return head + (
        f"{report.fetched} meetings fetched ({report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged), {report.items} items, {len(report.failures)} failed"
    )


async def _import(settings: Settings, args: argparse.Namespace) -> list[Report]:
    engine = create_engine(settings.database_url)
    broker = create_broker(settings.broker_url)
    await broker.start()
    sessionmaker = create_sessionmaker(engine)
    reports: list[Report] = []
    try:
        async with sessionmaker() as session:
            council = await council_by_slug(session, args.council)
            if council is None:
                raise ActionError(f"no council {args.council!r}")
            if args.source:
                one = await source_named(session, council.id, args.source)
                if one is None:
                    raise ActionError(f"{args.council} has no source named {args.source!r}")
                chosen = [one]
            else:
                chosen = await sources_of(session, council.id)
            if not chosen:
                raise ActionError(f"{args.council} has no agenda sources: add one first")
        terminal = Terminal()
        for source in chosen:
            print(
                f"{args.council} / {source.name} ({source.kind}): {args.start} to {args.end}",
                file=sys.stderr,
                flush=True,
            )
            report = await import_range(
                sessionmaker,
                broker,
                source.id,
                args.start,
                args.end,
                progress=terminal,
                secrets=Secrets(settings.credentials_key),
            )
            reports.append(report)
            async with writing(sessionmaker, broker) as w:
                await record_sync(
                    w,
                    source.id,
                    now=utcnow(),
                    ok=report.ok,
                    error=report.problem(),
                    meetings_seen=report.fetched,
                    interval=None,
                )
    finally:
        await broker.close()
        await engine.dispose()
    return reports


def cmd_import(settings: Settings, args: argparse.Namespace) -> None:
    if args.end < args.start:
        sys.exit("error: --to is before --from")
    try:
        reports = asyncio.run(_import(settings, args))
    except ActionError as exc:
        sys.exit(f"error: {exc.message}")
    for report in reports:
        print(summary(report))
        for failure in report.failures:
            print(f"  failed: {failure}")
    if any(not r.ok or r.failures for r in reports):
        sys.exit(1)


def add_commands(sub: Any) -> None:
    sources = sub.add_parser(
        "sources", help="where a council's meetings are imported from: add, list, remove"
    ).add_subparsers(dest="sources", required=True)
    sa = sources.add_parser("add", help="a Modern.gov, Legistar, OCD or iCalendar source")
    sa.add_argument("--council", required=True)
    sa.add_argument("--name", required=True, help="how staff call it, unique per council")
    sa.add_argument("--kind", required=True, choices=[k.value for k in Kind])
    sa.add_argument(
        "--url",
        help="Modern.gov: the site (https://democracy.example.gov.uk); Legistar: the Web API "
        "base (default https://webapi.legistar.com/v1); OCD, iCalendar: a URL or a file",
    )
    sa.add_argument("--client", help="Legistar: the client name, as in /v1/{client}/events")
    sa.add_argument("--token", help="Legistar: the API token, if the client needs one")
    sa.add_argument("--committees", help="Modern.gov: committee ids to import (default: all)")
    sa.add_argument(
        "--welsh-url", help="Modern.gov: the council's Welsh site, for Welsh titles (optional)"
    )
    sa.set_defaults(func=cmd_add)
    sl = sources.add_parser("list", help="every source, with its health")
    sl.add_argument("--council")
    sl.set_defaults(func=cmd_list)
    sr = sources.add_parser("remove", help="stop importing from a source (its meetings stay)")
    sr.add_argument("--council", required=True)
    sr.add_argument("--name", required=True)
    sr.set_defaults(func=cmd_remove)

    imp = sub.add_parser("import", help="import a council's meetings from a range of dates now")
    imp.add_argument("--council", required=True)
    imp.add_argument("--source", help="one source by name (default: every source)")
    imp.add_argument("--from", dest="start", type=_day, required=True, help="YYYY-MM-DD")
    imp.add_argument("--to", dest="end", type=_day, required=True, help="YYYY-MM-DD")
    imp.set_defaults(func=cmd_import)

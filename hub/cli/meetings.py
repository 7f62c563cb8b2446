"""``council-hub meetings``: meetings, their submission windows and their logs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import ActionError
from hub.actions.agenda import ItemSpec
from hub.actions.meetings import UNSET, create_meeting, prune_log, update_meeting
from hub.cli._run import act, local_time, read
from hub.events.publish import Writer
from hub.models import Meeting
from hub.queries.councils import council_by_slug
from hub.queries.meetings import load_meeting
from hub.settings import Settings


def parse_agenda(lines: Sequence[str]) -> list[ItemSpec]:
    """One item a line, ``NUMBER TITLE``; numbers like 5a nest under 5."""
    items: list[ItemSpec] = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        number, _, title = line.partition(" ")
        spec = ItemSpec(number.strip(), title.strip())
        if items and number[:-1] == items[-1].number and number[-1:].isalpha():
            items[-1].children.append(spec)
        else:
            items.append(spec)
    return items


def cmd_create(settings: Settings, args: argparse.Namespace) -> None:
    agenda_lines: list[str] = []
    if args.agenda:
        with open(args.agenda, encoding="utf-8") as f:
            agenda_lines = f.readlines()

    async def create(w: Writer) -> Meeting:
        council = await council_by_slug(w.session, args.council)
        if council is None:
            raise ActionError(f"no council {args.council!r}")
        return await create_meeting(
            w,
            council_slug=args.council,
            title=args.title,
            body_name=args.body or args.title,
            starts_at=local_time(args.starts_at, council.timezone, "--starts-at"),
            location=args.location,
            webcast_url=args.webcast,
            items=parse_agenda(agenda_lines),
        )

    meeting = act(settings, create)
    print(f"created meeting {meeting.id}: {meeting.title}")


def cmd_window(settings: Settings, args: argparse.Namespace) -> None:
    """Set when one meeting takes submissions ('' clears a bound: the council's policy rules).
    Open resident pages open or close their forms at once."""

    async def apply(w: Writer) -> Meeting:
        meeting = await load_meeting(w.session, args.id)
        if meeting is None:
            raise ActionError(f"no meeting {args.id}")
        zone = meeting.council.timezone
        bounds: dict[str, object] = {}
        for name, value in (
            ("submissions_open_at", args.open_at),
            ("submissions_close_at", args.close_at),
        ):
            if value is not None:
                bounds[name] = local_time(value, zone, "times") if value else None
        return await update_meeting(
            w,
            args.id,
            submissions_open_at=bounds.get("submissions_open_at", UNSET),
            submissions_close_at=bounds.get("submissions_close_at", UNSET),
        )

    meeting = act(settings, apply)
    opens = meeting.submissions_open_at.isoformat() if meeting.submissions_open_at else "policy"
    closes = meeting.submissions_close_at.isoformat() if meeting.submissions_close_at else "policy"
    print(f"meeting {meeting.id}: submissions open {opens}, close {closes}")


def cmd_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[Meeting]:
        return list((await session.execute(select(Meeting).order_by(Meeting.starts_at))).scalars())

    for m in read(settings, rows):
        print(f"{m.id}\t{m.starts_at.isoformat()}\t{m.status}\t{m.council.slug}\t{m.title}")


def cmd_prune_log(settings: Settings, args: argparse.Namespace) -> None:
    """Drop a meeting's old events; pages resuming from before them reload their snapshot."""

    async def prune(w: Writer) -> int:
        return await prune_log(w, args.id, args.keep_from)

    dropped = act(settings, prune)
    print(f"meeting {args.id}: dropped {dropped} events before seq {args.keep_from}")


def add_commands(sub: Any) -> None:
    meetings = sub.add_parser(
        "meetings", help="meetings: create, list, set a submission window, prune a log"
    ).add_subparsers(dest="meetings", required=True)
    mc = meetings.add_parser("create", help="a new meeting with its agenda")
    mc.add_argument("--council", required=True)
    mc.add_argument("--title", required=True)
    mc.add_argument("--body")
    mc.add_argument("--starts-at", required=True, help="'YYYY-MM-DD HH:MM', council's local time")
    mc.add_argument("--location", default="")
    mc.add_argument("--webcast")
    mc.add_argument("--agenda", help="text file: one item a line, 'NUMBER TITLE'")
    mc.set_defaults(func=cmd_create)
    meetings.add_parser("list", help="every meeting").set_defaults(func=cmd_list)
    mw = meetings.add_parser("window", help="when one meeting takes comments and questions")
    mw.add_argument("--id", type=int, required=True)
    mw.add_argument("--open-at", help="'YYYY-MM-DD HH:MM' local, or '' for the council's policy")
    mw.add_argument("--close-at", help="'YYYY-MM-DD HH:MM' local, or '' for the council's policy")
    mw.set_defaults(func=cmd_window)
    mp = meetings.add_parser("prune-log", help="drop a meeting's events before a seq")
    mp.add_argument("--id", type=int, required=True)
    mp.add_argument("--keep-from", type=int, required=True, help="the first seq to keep")
    mp.set_defaults(func=cmd_prune_log)

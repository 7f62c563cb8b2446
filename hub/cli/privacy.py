"""``council-hub privacy``: answering a resident's request, found by the participant code their
page shows them, and the retention purge on demand."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import ActionError
from hub.actions.privacy import erase_participant, purge_expired
from hub.cli._run import act, read
from hub.events.publish import Writer
from hub.models import utcnow
from hub.queries.privacy import export, find_participant
from hub.settings import Settings


def _no_such_code(code: str) -> ActionError:
    return ActionError(f"no participant has the code {code!r} (it is on their meeting page)")


def cmd_export(settings: Settings, args: argparse.Namespace) -> None:
    async def gather(session: AsyncSession) -> dict[str, Any] | None:
        participant = await find_participant(session, args.code)
        return None if participant is None else await export(session, participant)

    found = read(settings, gather)
    if found is None:
        raise SystemExit(f"error: {_no_such_code(args.code).message}")
    print(json.dumps(found, ensure_ascii=False, indent=2))


def cmd_erase(settings: Settings, args: argparse.Namespace) -> None:
    async def erase(w: Writer) -> int:
        participant = await find_participant(w.session, args.code)
        if participant is None:
            raise _no_such_code(args.code)
        return await erase_participant(w, participant, utcnow())

    count = act(settings, erase)
    print(f"erased: {count} submissions by {args.code.upper()}, and their votes and blocks")


def cmd_purge(settings: Settings, args: argparse.Namespace) -> None:
    async def purge(w: Writer) -> int:
        return await purge_expired(w, utcnow())

    print(f"retention: removed the personal data of {act(settings, purge)} submissions")


def add_commands(sub: Any) -> None:
    privacy = sub.add_parser(
        "privacy", help="residents' data: export or erase it (by participant code), purge"
    ).add_subparsers(dest="privacy", required=True)
    pe = privacy.add_parser("export", help="everything held about one resident, as JSON")
    pe.add_argument("--code", required=True, help="the participant code their page shows")
    pe.set_defaults(func=cmd_export)
    pr = privacy.add_parser("erase", help="erase one resident's data everywhere")
    pr.add_argument("--code", required=True, help="the participant code their page shows")
    pr.set_defaults(func=cmd_erase)
    pp = privacy.add_parser("purge", help="remove data past each council's retention period now")
    pp.set_defaults(func=cmd_purge)

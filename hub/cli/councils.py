"""``council-hub councils``: councils and their participation policy."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions.councils import OGL_NAME, OGL_URL, create_council, set_licence, update_policy
from hub.cli._run import act, read
from hub.events.publish import Writer
from hub.models import Council
from hub.settings import Settings


def cmd_create(settings: Settings, args: argparse.Namespace) -> None:
    async def create(w: Writer) -> Council:
        return await create_council(
            w,
            slug=args.slug,
            name=args.name,
            timezone=args.timezone,
            language=args.language,
            languages=[code.strip() for code in args.languages.split(",") if code.strip()],
            moderation=args.moderation,
        )

    council = act(settings, create)
    print(f"created council {council.slug} (id {council.id})")


def cmd_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[Council]:
        return list((await session.execute(select(Council).order_by(Council.id))).scalars())

    for c in read(settings, rows):
        print(f"{c.id}\t{c.slug}\t{c.name}\t{c.timezone}\t{c.default_language}")


def _flag(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "on"}


def _number(value: str) -> int | str:
    # ASCII digits only; anything else goes to the action as it is, which refuses it clearly.
    return int(value) if value.isascii() and value.isdigit() else value


POLICY_OPTIONS: dict[str, Callable[[str], Any]] = {
    "moderation": str,
    "submissions_open": str,
    "close_items_when_done": _flag,
    "max_chars": _number,
    "max_links": _number,
    "rate_per_participant": _number,
    "rate_per_address": _number,
    "retention_days": _number,
}
POLICY_FILES = {
    "blocklist_file": "blocklist",
    "reasons_file": "rejection_reasons",
    "privacy_notice_file": "privacy_notice",
}


def cmd_policy(settings: Settings, args: argparse.Namespace) -> None:
    """Show or change a council's participation policy."""
    changes: dict[str, Any] = {}
    for name, convert in POLICY_OPTIONS.items():
        value = getattr(args, name)
        if value is not None:
            changes[name] = convert(value)
    for option, name in POLICY_FILES.items():
        path = getattr(args, option)
        if path:
            with open(path, encoding="utf-8") as f:
                changes[name] = f.read()

    async def apply(w: Writer) -> Council:
        return await update_policy(w, args.slug, changes)

    council = act(settings, apply)
    for name in (*POLICY_OPTIONS, *POLICY_FILES.values()):
        value = getattr(council, name)
        if name in POLICY_FILES.values():
            value = f"{len(value.splitlines())} lines"
        print(f"{name}: {value}")


def cmd_licence(settings: Settings, args: argparse.Namespace) -> None:
    """Set the licence a council's open data is published under."""
    if args.ogl:
        name, url = OGL_NAME, OGL_URL
    elif args.none:
        name, url = "", ""
    else:
        name, url = args.name or "", args.url or ""

    async def apply(w: Writer) -> Council:
        return await set_licence(w, args.slug, name, url)

    council = act(settings, apply)
    if council.licence_name:
        print(f"{council.slug}: {council.licence_name} <{council.licence_url}>")
    else:
        print(f"{council.slug}: no licence stated")


def add_commands(sub: Any) -> None:
    councils = sub.add_parser(
        "councils", help="councils: create, list, show or change participation policy"
    ).add_subparsers(dest="councils", required=True)
    cc = councils.add_parser("create", help="a new council (one tenant of this deployment)")
    cc.add_argument("--slug", required=True)
    cc.add_argument("--name", required=True)
    cc.add_argument("--timezone", default="Europe/London")
    cc.add_argument("--language", default="en", choices=["en", "cy"], help="the default")
    cc.add_argument("--languages", default="en,cy", help="those offered (default: en,cy)")
    cc.add_argument("--moderation", default="pre", choices=["pre", "post"])
    cc.set_defaults(func=cmd_create)
    councils.add_parser("list", help="every council").set_defaults(func=cmd_list)
    cp = councils.add_parser("policy", help="show or change participation policy")
    cp.add_argument("--slug", required=True)
    cp.add_argument("--moderation", help="pre (every submission checked first) or post")
    cp.add_argument("--submissions-open", help="publication (default) or meeting")
    cp.add_argument("--close-items-when-done", help="true or false")
    cp.add_argument("--max-chars")
    cp.add_argument("--max-links")
    cp.add_argument("--rate-per-participant", help="submissions per 10 minutes")
    cp.add_argument("--rate-per-address", help="submissions per 10 minutes")
    cp.add_argument("--blocklist-file", help="one word or phrase a line")
    cp.add_argument("--reasons-file", help="extra rejection reasons, 'code: label' a line")
    cp.add_argument(
        "--retention-days", help="days residents' personal data is kept (30 to 3650; 365)"
    )
    cp.add_argument(
        "--privacy-notice-file", help="the council's privacy notice, plain text (paragraphs)"
    )
    cp.set_defaults(func=cmd_policy)
    cl = councils.add_parser(
        "licence", help="the licence the council's open data (exports, feeds) is published under"
    )
    cl.add_argument("--slug", required=True)
    which = cl.add_mutually_exclusive_group(required=True)
    which.add_argument("--name", help="the licence's name (with --url)")
    which.add_argument("--ogl", action="store_true", help="the Open Government Licence v3.0")
    which.add_argument("--none", action="store_true", help="state no licence")
    cl.add_argument("--url", help="the URL of the licence's text (with --name)")
    cl.set_defaults(func=cmd_licence)

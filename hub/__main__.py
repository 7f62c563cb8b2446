"""The operator's CLI: ``council-hub serve | migrate | demo | users | councils | meetings``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import auth, demo
from hub.actions import ActionError
from hub.actions.setup import ItemSpec, create_council, create_meeting
from hub.db import create_engine, create_sessionmaker
from hub.migrate import upgrade
from hub.models import Council, Meeting, StaffUser
from hub.settings import Settings


def _serve(
    settings: Settings, host: str, port: int, workers: int, access_log: bool = False
) -> None:
    import uvicorn

    if workers > 1 and settings.broker_url.startswith("memory://"):
        sys.exit("several workers need a shared broker: set COUNCIL_HUB_BROKER_URL=redis://...")
    # Every worker reads the environment; they must share the session-signing key.
    os.environ.setdefault("COUNCIL_HUB_SECRET_KEY", settings.secret_key)
    uvicorn.run(
        "hub.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Non-awaiting fan-out (hub/serving.py); compression off on the live stream: it
        # doubles CPU per delivery and costs tens of KiB per socket (issue 3).
        ws="hub.serving:FastSendProtocol",
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_frame_bytes,
        proxy_headers=True,
        lifespan="on",
        log_level="info",
        # Off unless asked for: a line per request names every resident's address (personal
        # data the hub otherwise never keeps), and the reverse proxy logs requests already.
        access_log=access_log,
    )


async def _in_session(settings: Settings, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await fn(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def _run(settings: Settings, fn: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    try:
        return asyncio.run(_in_session(settings, fn))
    except ActionError as exc:
        sys.exit(f"error: {exc.message}")


def cmd_demo(settings: Settings, args: argparse.Namespace) -> None:
    os.environ.setdefault("COUNCIL_HUB_SECRET_KEY", secrets.token_urlsafe(32))
    settings = Settings.from_env()
    upgrade(settings.database_url)
    logins: demo.DemoLogins = _run(settings, demo.seed)
    base = f"http://{args.host}:{args.port}"
    print(
        f"""
Council Hub demo is ready.

  Resident page:   {base}/meetings/{logins.meeting_id}
  Clerk console:   {base}/staff/meetings/{logins.meeting_id}
  All meetings:    {base}/

  Clerk login:       {demo.CLERK_EMAIL} / {logins.clerk_password}
  Councillor login:  {demo.COUNCILLOR_EMAIL} / {logins.councillor_password}
  Admin login:       {demo.ADMIN_EMAIL} / {logins.admin_password}
  (new passwords each time the demo starts)

Open the resident page in one window and the clerk console in another.
""",
        flush=True,
    )
    if not args.no_serve:
        _serve(settings, args.host, args.port, 1)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    upgrade(settings.database_url)
    print("database is up to date")


def cmd_users_create(settings: Settings, args: argparse.Namespace) -> None:
    password = args.password or os.environ.get("COUNCIL_HUB_NEW_PASSWORD")
    generated = False
    if not password:
        if sys.stdin.isatty():
            password = getpass.getpass("Password (12+ characters): ")
        else:
            password, generated = secrets.token_urlsafe(12), True

    async def create(session: AsyncSession) -> StaffUser:
        council_id = None
        if args.council:
            council = (
                await session.execute(select(Council).where(Council.slug == args.council))
            ).scalar_one_or_none()
            if council is None:
                raise ActionError(f"no council {args.council!r}")
            council_id = council.id
        return await auth.create_user(
            session,
            email=args.email,
            display_name=args.name or args.email,
            password=password,
            role=args.role,
            council_id=council_id,
        )

    user: StaffUser = _run(settings, create)
    print(f"created {user.role} {user.email} (id {user.id})")
    if generated:
        print(f"password: {password}")


def cmd_users_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[StaffUser]:
        return list((await session.execute(select(StaffUser).order_by(StaffUser.id))).scalars())

    for u in _run(settings, rows):
        state = "active" if u.is_active else "disabled"
        print(f"{u.id}\t{u.email}\t{u.role}\tcouncil={u.council_id}\t{state}")


def cmd_councils_create(settings: Settings, args: argparse.Namespace) -> None:
    async def create(session: AsyncSession) -> Council:
        return await create_council(
            session, slug=args.slug, name=args.name, timezone=args.timezone, language=args.language
        )

    council: Council = _run(settings, create)
    print(f"created council {council.slug} (id {council.id})")


def cmd_councils_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[Council]:
        return list((await session.execute(select(Council).order_by(Council.id))).scalars())

    for c in _run(settings, rows):
        print(f"{c.id}\t{c.slug}\t{c.name}\t{c.timezone}\t{c.default_language}")


def _flag(value: str) -> bool:
    return value.lower() in {"1", "true", "yes", "on"}


POLICY_FIELDS: dict[str, Callable[[str], Any]] = {
    "moderation": str,
    "submissions_open": str,
    "close_items_when_done": _flag,
    "max_chars": int,
    "max_links": int,
    "rate_per_participant": int,
    "rate_per_address": int,
}


def cmd_councils_policy(settings: Settings, args: argparse.Namespace) -> None:
    """Show or change a council's participation policy."""
    changes: dict[str, Any] = {}
    for name, convert in POLICY_FIELDS.items():
        value = getattr(args, name)
        if value is not None:
            changes[name] = convert(value)
    if args.blocklist_file:
        with open(args.blocklist_file, encoding="utf-8") as f:
            changes["blocklist"] = f.read()
    if args.reasons_file:
        with open(args.reasons_file, encoding="utf-8") as f:
            changes["rejection_reasons"] = f.read()
    if changes.get("moderation", "pre") not in ("pre", "post"):
        sys.exit("error: --moderation is pre or post")
    if changes.get("submissions_open", "publication") not in ("publication", "meeting"):
        sys.exit("error: --submissions-open is publication or meeting")

    async def apply(session: AsyncSession) -> Council:
        council = (
            await session.execute(select(Council).where(Council.slug == args.slug))
        ).scalar_one_or_none()
        if council is None:
            raise ActionError(f"no council {args.slug!r}")
        for name, value in changes.items():
            setattr(council, name, value)
        return council

    council: Council = _run(settings, apply)
    for name in (*POLICY_FIELDS, "blocklist", "rejection_reasons"):
        value = getattr(council, name)
        if name in ("blocklist", "rejection_reasons"):
            value = f"{len(value.splitlines())} lines"
        print(f"{name}: {value}")


def _parse_agenda(lines: Sequence[str]) -> list[ItemSpec]:
    """One item a line, ``NUMBER<TAB or two spaces>TITLE``; numbers like 5a nest under 5."""
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


def cmd_meetings_create(settings: Settings, args: argparse.Namespace) -> None:
    agenda_lines: list[str] = []
    if args.agenda:
        with open(args.agenda, encoding="utf-8") as f:
            agenda_lines = f.readlines()

    async def create(session: AsyncSession) -> Meeting:
        council = (
            await session.execute(select(Council).where(Council.slug == args.council))
        ).scalar_one_or_none()
        if council is None:
            raise ActionError(f"no council {args.council!r}")
        try:
            # A wall-clock time in the council's zone, made aware just below.
            local = datetime.strptime(args.starts_at, "%Y-%m-%d %H:%M")  # noqa: DTZ007
        except ValueError:
            raise ActionError(
                "--starts-at is 'YYYY-MM-DD HH:MM' in the council's time zone"
            ) from None
        items = _parse_agenda(agenda_lines)
        return await create_meeting(
            session,
            council_slug=args.council,
            title=args.title,
            body_name=args.body or args.title,
            starts_at=local.replace(tzinfo=ZoneInfo(council.timezone)),
            location=args.location,
            webcast_url=args.webcast,
            items=items,
        )

    meeting: Meeting = _run(settings, create)
    print(f"created meeting {meeting.id}: {meeting.title}")


def cmd_meetings_window(settings: Settings, args: argparse.Namespace) -> None:
    """Set when one meeting takes submissions ('' clears a bound: the council's policy rules)."""

    async def apply(session: AsyncSession) -> Meeting:
        meeting = await session.get(Meeting, args.id)
        if meeting is None:
            raise ActionError(f"no meeting {args.id}")
        zone = ZoneInfo(meeting.council.timezone)
        for name, value in (
            ("submissions_open_at", args.open_at),
            ("submissions_close_at", args.close_at),
        ):
            if value is None:
                continue
            if value == "":
                setattr(meeting, name, None)
                continue
            try:
                local = datetime.strptime(value, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone added below
            except ValueError:
                raise ActionError(
                    "times are 'YYYY-MM-DD HH:MM' in the council's time zone"
                ) from None
            setattr(meeting, name, local.replace(tzinfo=zone))
        return meeting

    meeting: Meeting = _run(settings, apply)
    opens = meeting.submissions_open_at.isoformat() if meeting.submissions_open_at else "policy"
    closes = meeting.submissions_close_at.isoformat() if meeting.submissions_close_at else "policy"
    print(f"meeting {meeting.id}: submissions open {opens}, close {closes}")


def cmd_meetings_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[Meeting]:
        return list((await session.execute(select(Meeting).order_by(Meeting.starts_at))).scalars())

    for m in _run(settings, rows):
        print(f"{m.id}\t{m.starts_at.isoformat()}\t{m.status}\t{m.council.slug}\t{m.title}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="council-hub", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="processes (needs redis:// broker)")
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log every request with the client's address (off: residents' addresses are "
        "personal data)",
    )
    serve.set_defaults(func=lambda s, a: _serve(s, a.host, a.port, a.workers, a.access_log))

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(func=cmd_migrate)

    demo_ = sub.add_parser("demo", help="migrate, add the demo council and meeting, and serve")
    demo_.add_argument("--host", default="127.0.0.1")
    demo_.add_argument("--port", type=int, default=8000)
    demo_.add_argument("--no-serve", action="store_true", help="set up and exit")
    demo_.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="staff accounts").add_subparsers(
        dest="users", required=True
    )
    uc = users.add_parser("create")
    uc.add_argument("--email", required=True)
    uc.add_argument("--name")
    uc.add_argument("--role", required=True, choices=["admin", "clerk", "councillor"])
    uc.add_argument("--council", help="council slug (not for admins)")
    uc.add_argument("--password", help="else prompted, or COUNCIL_HUB_NEW_PASSWORD, or generated")
    uc.set_defaults(func=cmd_users_create)
    users.add_parser("list").set_defaults(func=cmd_users_list)

    councils = sub.add_parser("councils").add_subparsers(dest="councils", required=True)
    cc = councils.add_parser("create")
    cc.add_argument("--slug", required=True)
    cc.add_argument("--name", required=True)
    cc.add_argument("--timezone", default="Europe/London")
    cc.add_argument("--language", default="en", choices=["en", "cy"])
    cc.set_defaults(func=cmd_councils_create)
    councils.add_parser("list").set_defaults(func=cmd_councils_list)
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
    cp.set_defaults(func=cmd_councils_policy)

    meetings = sub.add_parser("meetings").add_subparsers(dest="meetings", required=True)
    mc = meetings.add_parser("create")
    mc.add_argument("--council", required=True)
    mc.add_argument("--title", required=True)
    mc.add_argument("--body")
    mc.add_argument("--starts-at", required=True, help="'YYYY-MM-DD HH:MM', council's local time")
    mc.add_argument("--location", default="")
    mc.add_argument("--webcast")
    mc.add_argument("--agenda", help="text file: one item a line, 'NUMBER TITLE'")
    mc.set_defaults(func=cmd_meetings_create)
    meetings.add_parser("list").set_defaults(func=cmd_meetings_list)
    mw = meetings.add_parser("window", help="when one meeting takes comments and questions")
    mw.add_argument("--id", type=int, required=True)
    mw.add_argument("--open-at", help="'YYYY-MM-DD HH:MM' local, or '' for the council's policy")
    mw.add_argument("--close-at", help="'YYYY-MM-DD HH:MM' local, or '' for the council's policy")
    mw.set_defaults(func=cmd_meetings_window)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(Settings.from_env(), args)


if __name__ == "__main__":
    main()

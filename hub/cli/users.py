"""``council-hub users``: staff accounts."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.actions import ActionError
from hub.actions.accounts import create_user, deactivate, set_password
from hub.cli._run import act, read
from hub.events.publish import Writer
from hub.models import StaffUser
from hub.queries.councils import council_by_slug
from hub.settings import Settings


def _new_password(given: str | None) -> tuple[str, bool]:
    """The password to set, and whether it was generated (so it must be printed)."""
    password = given or os.environ.get("COUNCIL_HUB_NEW_PASSWORD")
    if password:
        return password, False
    if sys.stdin.isatty():
        return getpass.getpass("Password (12+ characters, hard to guess): "), False
    return secrets.token_urlsafe(12), True


def cmd_create(settings: Settings, args: argparse.Namespace) -> None:
    password, generated = _new_password(args.password)

    async def create(w: Writer) -> StaffUser:
        council_id = None
        if args.council:
            council = await council_by_slug(w.session, args.council)
            if council is None:
                raise ActionError(f"no council {args.council!r}")
            council_id = council.id
        return await create_user(
            w,
            email=args.email,
            display_name=args.name or args.email,
            password=password,
            role=args.role,
            council_id=council_id,
        )

    user = act(settings, create)
    print(f"created {user.role} {user.email} (id {user.id})")
    if generated:
        print(f"password: {password}")


def cmd_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[StaffUser]:
        return list((await session.execute(select(StaffUser).order_by(StaffUser.id))).scalars())

    for u in read(settings, rows):
        state = "active" if u.is_active else "disabled"
        print(f"{u.id}\t{u.email}\t{u.role}\tcouncil={u.council_id}\t{state}")


async def _user_id(w: Writer, email: str) -> int:
    found = await w.session.scalar(select(StaffUser.id).where(StaffUser.email == email.lower()))
    if found is None:
        raise ActionError(f"no staff account {email!r}")
    return int(found)


def cmd_password(settings: Settings, args: argparse.Namespace) -> None:
    password, generated = _new_password(args.password)

    async def change(w: Writer) -> StaffUser:
        return await set_password(w, await _user_id(w, args.email), password)

    user = act(settings, change)
    print(f"password changed for {user.email}; their sessions have ended")
    if generated:
        print(f"password: {password}")


def cmd_deactivate(settings: Settings, args: argparse.Namespace) -> None:
    async def off(w: Writer) -> StaffUser:
        return await deactivate(w, await _user_id(w, args.email))

    user = act(settings, off)
    print(f"deactivated {user.email}; their sessions have ended")


def add_commands(sub: Any) -> None:
    users = sub.add_parser(
        "users", help="staff accounts: create, list, set a password, deactivate"
    ).add_subparsers(dest="users", required=True)
    uc = users.add_parser("create", help="a new admin, clerk or councillor")
    uc.add_argument("--email", required=True)
    uc.add_argument("--name")
    uc.add_argument("--role", required=True, choices=["admin", "clerk", "councillor"])
    uc.add_argument("--council", help="council slug (not for admins)")
    uc.add_argument("--password", help="else prompted, or COUNCIL_HUB_NEW_PASSWORD, or generated")
    uc.set_defaults(func=cmd_create)
    users.add_parser("list", help="every staff account").set_defaults(func=cmd_list)
    up = users.add_parser("password", help="set a new password (ends the account's sessions)")
    up.add_argument("--email", required=True)
    up.add_argument("--password", help="else prompted, or COUNCIL_HUB_NEW_PASSWORD, or generated")
    up.set_defaults(func=cmd_password)
    ud = users.add_parser("deactivate", help="stop an account signing in (ends its sessions)")
    ud.add_argument("--email", required=True)
    ud.set_defaults(func=cmd_deactivate)

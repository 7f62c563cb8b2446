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
from hub.actions.accounts import create_user, deactivate, reactivate, set_password
from hub.actions.invites import INVITE_LIFETIME, NewInvite, create_invite
from hub.actions.memberships import remove_member, set_role
from hub.cli._run import act, read
from hub.events.publish import Writer
from hub.models import Council, Role, StaffMembership, StaffUser
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


async def _council_id(w: Writer, slug: str) -> int:
    council = await council_by_slug(w.session, slug)
    if council is None:
        raise ActionError(f"no council {slug!r}")
    return council.id


def cmd_create(settings: Settings, args: argparse.Namespace) -> None:
    password, generated = _new_password(args.password)

    async def create(w: Writer) -> StaffUser:
        return await create_user(
            w,
            email=args.email,
            display_name=args.name or args.email,
            password=password,
            role=args.role,
            council_id=await _council_id(w, args.council) if args.council else None,
            deployment_admin=args.deployment_admin,
        )

    user = act(settings, create)
    what = "deployment admin" if user.is_deployment_admin else args.role
    where = f" of {args.council}" if args.council else ""
    print(f"created {what}{where} {user.email} (id {user.id})")
    if generated:
        print(f"password: {password}")


def cmd_list(settings: Settings, args: argparse.Namespace) -> None:
    async def rows(session: AsyncSession) -> list[tuple[StaffUser, str]]:
        users = list((await session.execute(select(StaffUser).order_by(StaffUser.id))).scalars())
        roles: dict[int, list[str]] = {}
        for user_id, slug, role in await session.execute(
            select(StaffMembership.user_id, Council.slug, StaffMembership.role)
            .join(Council, Council.id == StaffMembership.council_id)
            .order_by(Council.slug)
        ):
            roles.setdefault(user_id, []).append(f"{slug}:{role}")
        return [(u, ",".join(roles.get(u.id, []))) for u in users]

    for u, roles in read(settings, rows):
        state = "active" if u.is_active else "disabled"
        admin = "deployment-admin" if u.is_deployment_admin else "-"
        print(f"{u.id}\t{u.email}\t{admin}\t{roles or '-'}\t{state}")


def cmd_grant(settings: Settings, args: argparse.Namespace) -> None:
    async def grant(w: Writer) -> None:
        await set_role(
            w,
            council_id=await _council_id(w, args.council),
            user_id=await _user_id(w, args.email),
            role=args.role,
            actor=None,
        )

    act(settings, grant)
    print(f"{args.email} is now {args.role} of {args.council}")


def cmd_revoke(settings: Settings, args: argparse.Namespace) -> None:
    async def revoke(w: Writer) -> None:
        await remove_member(
            w,
            council_id=await _council_id(w, args.council),
            user_id=await _user_id(w, args.email),
            actor=None,
        )

    act(settings, revoke)
    print(f"{args.email} no longer serves {args.council}")


def cmd_invite(settings: Settings, args: argparse.Namespace) -> None:
    async def invite(w: Writer) -> NewInvite:
        council_id = await _council_id(w, args.council)
        return await create_invite(
            w, council_id=council_id, email=args.email, role=args.role, actor=None
        )

    made = act(settings, invite)
    print(f"invitation for {made.invite.email} as {made.invite.role} of {args.council}")
    print(f"send them this link (it works once, for {INVITE_LIFETIME.days} days):")
    print(f"{args.base_url.rstrip('/')}/staff/invites/{made.token}")


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


def cmd_reactivate(settings: Settings, args: argparse.Namespace) -> None:
    async def on(w: Writer) -> StaffUser:
        return await reactivate(w, await _user_id(w, args.email))

    user = act(settings, on)
    print(f"reactivated {user.email}")


def add_commands(sub: Any) -> None:
    users = sub.add_parser(
        "users", help="staff accounts and their roles per council"
    ).add_subparsers(dest="users", required=True)
    uc = users.add_parser("create", help="a new account: a role in a council, or deployment admin")
    uc.add_argument("--email", required=True)
    uc.add_argument("--name")
    uc.add_argument(
        "--role",
        choices=[r.value for r in Role],
        help="their role in --council (admin without --council: a deployment admin)",
    )
    uc.add_argument("--council", help="council slug")
    uc.add_argument("--deployment-admin", action="store_true", help="serves every council")
    uc.add_argument("--password", help="else prompted, or COUNCIL_HUB_NEW_PASSWORD, or generated")
    uc.set_defaults(func=cmd_create)
    users.add_parser("list", help="every staff account").set_defaults(func=cmd_list)
    ug = users.add_parser("grant", help="give an account a role in a council (or change it)")
    ug.add_argument("--email", required=True)
    ug.add_argument("--council", required=True)
    ug.add_argument("--role", required=True, choices=[r.value for r in Role])
    ug.set_defaults(func=cmd_grant)
    ur = users.add_parser("revoke", help="take an account's role in a council away")
    ur.add_argument("--email", required=True)
    ur.add_argument("--council", required=True)
    ur.set_defaults(func=cmd_revoke)
    ui = users.add_parser("invite", help="a one-time invitation link to a council's staff")
    ui.add_argument("--email", required=True)
    ui.add_argument("--council", required=True)
    ui.add_argument("--role", required=True, choices=[r.value for r in Role])
    ui.add_argument("--base-url", default="", help="the hub's address, to print a whole link")
    ui.set_defaults(func=cmd_invite)
    up = users.add_parser("password", help="set a new password (ends the account's sessions)")
    up.add_argument("--email", required=True)
    up.add_argument("--password", help="else prompted, or COUNCIL_HUB_NEW_PASSWORD, or generated")
    up.set_defaults(func=cmd_password)
    ud = users.add_parser("deactivate", help="stop an account signing in (ends its sessions)")
    ud.add_argument("--email", required=True)
    ud.set_defaults(func=cmd_deactivate)
    ua = users.add_parser("reactivate", help="let a deactivated account sign in again")
    ua.add_argument("--email", required=True)
    ua.set_defaults(func=cmd_reactivate)

"""Reads for the staff pages: a council's staff and pending invitations, every account (for a
deployment admin), an invitation by its link, and a council's audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.auth import invite_key
from hub.models import Council, CouncilAuditEntry, StaffInvite, StaffMembership, StaffUser, utcnow

AUDIT_PAGE = 50  # entries a page: a month of a busy council's changes


@dataclass(frozen=True)
class Member:
    user_id: int
    display_name: str
    email: str
    role: str
    is_active: bool
    is_deployment_admin: bool
    last_login_at: datetime | None
    other_councils: int  # how many other councils they serve


async def members(session: AsyncSession, council_id: int) -> list[Member]:
    rows = (
        await session.execute(
            select(StaffUser, StaffMembership.role)
            .join(StaffMembership, StaffMembership.user_id == StaffUser.id)
            .where(StaffMembership.council_id == council_id)
            .order_by(StaffUser.display_name, StaffUser.id)
        )
    ).all()
    ids = [user.id for user, _role in rows]
    counts: dict[int, int] = {}
    for user_id in await session.scalars(
        select(StaffMembership.user_id).where(
            StaffMembership.user_id.in_(ids), StaffMembership.council_id != council_id
        )
    ):
        counts[user_id] = counts.get(user_id, 0) + 1
    return [
        Member(
            user.id,
            user.display_name,
            user.email,
            role,
            user.is_active,
            user.is_deployment_admin,
            user.last_login_at,
            counts.get(user.id, 0),
        )
        for user, role in rows
    ]


async def pending_invites(session: AsyncSession, council_id: int) -> list[StaffInvite]:
    """Invitations whose link still works, newest first."""
    return list(
        await session.scalars(
            select(StaffInvite)
            .where(
                StaffInvite.council_id == council_id,
                StaffInvite.accepted_at.is_(None),
                StaffInvite.revoked_at.is_(None),
                StaffInvite.expires_at > utcnow(),
            )
            .order_by(StaffInvite.id.desc())
        )
    )


@dataclass(frozen=True)
class Account:
    user: StaffUser
    roles: list[tuple[str, str, str]]  # (council slug, council name, role)


async def accounts(session: AsyncSession) -> list[Account]:
    users = list(await session.scalars(select(StaffUser).order_by(StaffUser.email)))
    roles: dict[int, list[tuple[str, str, str]]] = {}
    for user_id, slug, name, role in await session.execute(
        select(StaffMembership.user_id, Council.slug, Council.name, StaffMembership.role)
        .join(Council, Council.id == StaffMembership.council_id)
        .order_by(Council.name)
    ):
        roles.setdefault(user_id, []).append((slug, name, role))
    return [Account(u, roles.get(u.id, [])) for u in users]


async def invite_by_token(
    session: AsyncSession, token: str
) -> tuple[StaffInvite, Council, bool] | None:
    """The invitation a link names, its council, and whether its email has an account."""
    found = (
        await session.execute(
            select(StaffInvite, Council)
            .join(Council, Council.id == StaffInvite.council_id)
            .where(StaffInvite.token_hash == invite_key(token))
        )
    ).one_or_none()
    if found is None:
        return None
    invite, council = found
    has_account = await session.scalar(select(StaffUser.id).where(StaffUser.email == invite.email))
    return invite, council, has_account is not None


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    actor_name: str | None
    action: str
    details: dict[str, Any]


async def audit_entries(
    session: AsyncSession, council_id: int, before: int | None = None, limit: int = AUDIT_PAGE
) -> list[AuditLine]:
    """The council's audit log, newest first, from before entry ``before`` (keyset paging)."""
    query = select(CouncilAuditEntry).where(CouncilAuditEntry.council_id == council_id)
    if before is not None:
        query = query.where(CouncilAuditEntry.id < before)
    rows = await session.scalars(query.order_by(CouncilAuditEntry.id.desc()).limit(limit))
    return [
        AuditLine(e.id, e.at, e.actor_name, e.action, json.loads(e.details or "{}")) for e in rows
    ]

"""Roles per council: give a person a role in a council, change it, take it away.

A council keeps at least one active admin once it has one: nobody demotes or removes its last
(appoint another first), so a council is never left without someone to manage its staff
(a deployment admin still could: they serve every council).
"""

from __future__ import annotations

from sqlalchemy import select

from hub.actions import Conflict, NotFound
from hub.actions._locks import Actor
from hub.actions.accounts import active_admins, checked_role
from hub.actions.audit import record
from hub.events.publish import Writer
from hub.i18n import gettext_ as _
from hub.models import Role, StaffMembership, StaffUser


async def _membership(w: Writer, council_id: int, user_id: int) -> StaffMembership | None:
    found: StaffMembership | None = await w.session.scalar(
        select(StaffMembership)
        .where(StaffMembership.council_id == council_id, StaffMembership.user_id == user_id)
        .with_for_update()
    )
    return found


async def _user(w: Writer, user_id: int) -> StaffUser:
    user = await w.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(_("There is no such staff account."))
    return user


async def _keep_an_admin(w: Writer, member: StaffMembership) -> None:
    """Refuse to leave the council without an active admin, if this is its last."""
    if member.role == Role.ADMIN.value and await active_admins(w, member.council_id) == {
        member.user_id
    }:
        raise Conflict(_("This is the council's last admin: appoint another first."))


async def set_role(
    w: Writer, *, council_id: int, user_id: int, role: str, actor: Actor | None
) -> StaffMembership:
    """The person's role in the council: added if they had none there, changed if they had."""
    role_ = checked_role(role)
    user = await _user(w, user_id)
    member = await _membership(w, council_id, user_id)
    details = {"name": user.display_name, "email": user.email, "role": role_.value}
    if member is None:
        member = StaffMembership(user_id=user_id, council_id=council_id, role=role_.value)
        w.session.add(member)
        await w.session.flush()
        await record(w, council_id=council_id, actor=actor, action="staff.added", details=details)
        return member
    if member.role == role_.value:
        return member
    if role_ is not Role.ADMIN:
        await _keep_an_admin(w, member)
    previous = member.role
    member.role = role_.value
    await w.session.flush()
    await record(
        w,
        council_id=council_id,
        actor=actor,
        action="staff.role_changed",
        details={**details, "previous": previous},
    )
    return member


async def remove_member(w: Writer, *, council_id: int, user_id: int, actor: Actor | None) -> None:
    """The person no longer serves the council (their account, and roles elsewhere, stay)."""
    user = await _user(w, user_id)
    member = await _membership(w, council_id, user_id)
    if member is None:
        raise NotFound(_("This person is not on the council's staff."))
    await _keep_an_admin(w, member)
    await w.session.delete(member)
    await w.session.flush()
    await record(
        w,
        council_id=council_id,
        actor=actor,
        action="staff.removed",
        details={"name": user.display_name, "email": user.email, "role": member.role},
    )

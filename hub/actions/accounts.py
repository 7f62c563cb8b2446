"""Staff accounts: create one, sign in, change a password, deactivate and reactivate.

A password change or a deactivation ends every session of the account at once, in the same
transaction (hub/actions/sessions.py): whoever held one is signed out on their next request.
Each is recorded in the audit log of every council the account serves (hub/actions/audit.py).
"""

from __future__ import annotations

from sqlalchemy import func, select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions._locks import Actor
from hub.actions.audit import record
from hub.actions.sessions import end_all_sessions
from hub.auth import hash_password, normalise_email
from hub.events.publish import Writer
from hub.i18n import gettext_ as _
from hub.models import Role, StaffMembership, StaffUser, utcnow

DISPLAY_NAME_MAX_CHARS = 120  # staff_users.display_name


def checked_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise Invalid(
            _("The role must be one of %(roles)s.") % {"roles": ", ".join(r.value for r in Role)}
        ) from None


def checked_name(display_name: str, email: str) -> str:
    name = " ".join(display_name.split()) or email
    if len(name) > DISPLAY_NAME_MAX_CHARS:
        raise Invalid(_("A name is at most %(n)d characters.") % {"n": DISPLAY_NAME_MAX_CHARS})
    return name


async def create_user(
    w: Writer,
    *,
    email: str,
    display_name: str,
    password: str,
    role: str | None = None,
    council_id: int | None = None,
    deployment_admin: bool = False,
    actor: Actor | None = None,
) -> StaffUser:
    """A new account: a deployment admin, or a ``role`` in the council ``council_id`` (or
    both). ``role="admin"`` without a council is a deployment admin, as before roles were per
    council (the command line's ``--role admin``)."""
    role_ = checked_role(role) if role is not None else None
    if role_ is Role.ADMIN and council_id is None:
        deployment_admin, role_ = True, None
    if role_ is not None and council_id is None:
        raise Invalid("clerks and councillors belong to a council")
    if role_ is None and council_id is not None:
        raise Invalid("a member of a council needs a role there")
    if role_ is None and not deployment_admin:
        raise Invalid("an account is a deployment admin or has a role in a council")
    user = await new_account(
        w,
        email=email,
        display_name=display_name,
        password=password,
        deployment_admin=deployment_admin,
    )
    if role_ is not None and council_id is not None:
        w.session.add(StaffMembership(user_id=user.id, council_id=council_id, role=role_.value))
        await w.session.flush()
        await record(
            w,
            council_id=council_id,
            actor=actor,
            action="staff.added",
            details={"name": user.display_name, "email": user.email, "role": role_.value},
        )
    return user


async def new_account(
    w: Writer, *, email: str, display_name: str, password: str, deployment_admin: bool = False
) -> StaffUser:
    """The account alone (its roles are added by the caller, who records them)."""
    email = normalise_email(email)
    display_name = checked_name(display_name, email)
    if await user_by_email(w, email) is not None:
        raise Conflict(_("A staff account for %(email)s exists.") % {"email": email})
    user = StaffUser(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password, [email, display_name]),
        is_deployment_admin=deployment_admin,
        is_active=True,
    )
    w.session.add(user)
    await w.session.flush()
    return user


async def user_by_email(w: Writer, email: str) -> StaffUser | None:
    found: StaffUser | None = await w.session.scalar(
        select(StaffUser).where(StaffUser.email == email)
    )
    return found


async def _locked_user(w: Writer, user_id: int) -> StaffUser:
    user = await w.session.get(StaffUser, user_id, with_for_update=True)
    if user is None:
        raise NotFound(_("There is no such staff account."))
    return user


async def councils_of(w: Writer, user_id: int) -> dict[int, Role]:
    """The account's role in each council it serves."""
    rows = await w.session.execute(
        select(StaffMembership.council_id, StaffMembership.role).where(
            StaffMembership.user_id == user_id
        )
    )
    return {council_id: Role(role) for council_id, role in rows}


async def _record_everywhere(w: Writer, user: StaffUser, actor: Actor | None, action: str) -> None:
    """An account-wide change, in the audit log of every council the account serves."""
    for council_id in sorted(await councils_of(w, user.id)):
        await record(
            w,
            council_id=council_id,
            actor=actor,
            action=action,
            details={"name": user.display_name, "email": user.email},
        )


async def set_password(
    w: Writer, user_id: int, password: str, *, actor: Actor | None = None
) -> StaffUser:
    """A new password; every session of the account ends."""
    user = await _locked_user(w, user_id)
    user.password_hash = hash_password(password, [user.email, user.display_name])
    await end_all_sessions(w, user.id)
    await w.session.flush()
    await _record_everywhere(w, user, actor, "staff.password_set")
    return user


async def active_admins(w: Writer, council_id: int) -> set[int]:
    """The active accounts that are the council's admins."""
    rows = await w.session.scalars(
        select(StaffMembership.user_id)
        .join(StaffUser, StaffUser.id == StaffMembership.user_id)
        .where(
            StaffMembership.council_id == council_id,
            StaffMembership.role == Role.ADMIN.value,
            StaffUser.is_active,
        )
        .with_for_update(of=StaffMembership)
    )
    return set(rows)


async def deactivate(
    w: Writer, user_id: int, *, actor: Actor | None = None, within: int | None = None
) -> StaffUser:
    """The account can no longer sign in; every session of it ends.

    ``within``: the council whose admin asks (from its staff page): they may deactivate only
    an account that serves that council alone and is not a deployment admin. Nobody
    deactivates themselves (from the web), the last active deployment admin, or the last
    active admin of a council (appoint another first)."""
    user = await _locked_user(w, user_id)
    if not user.is_active:
        raise Conflict(_("This account is deactivated already."))
    if actor is not None and actor.user_id == user.id:
        raise Conflict(_("You cannot deactivate your own account."))
    roles = await councils_of(w, user.id)
    if within is not None and (user.is_deployment_admin or set(roles) - {within}):
        raise Conflict(
            _(
                "This account serves other councils too: remove it from this council instead, "
                "or ask a deployment admin to deactivate it."
            )
        )
    if user.is_deployment_admin:
        others = await w.session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(StaffUser.is_deployment_admin, StaffUser.is_active, StaffUser.id != user.id)
        )
        if not others:
            raise Conflict(_("This is the last active deployment admin: appoint another first."))
    for council_id, role in sorted(roles.items()):
        if role is Role.ADMIN and await active_admins(w, council_id) == {user.id}:
            raise Conflict(
                _("This is the last admin of one of its councils: appoint another first.")
            )
    user.is_active = False
    await end_all_sessions(w, user.id)
    await w.session.flush()
    await _record_everywhere(w, user, actor, "staff.deactivated")
    return user


async def reactivate(w: Writer, user_id: int, *, actor: Actor | None = None) -> StaffUser:
    """The account may sign in again (with its password as it was)."""
    user = await _locked_user(w, user_id)
    if user.is_active:
        raise Conflict(_("This account is active already."))
    user.is_active = True
    await w.session.flush()
    await _record_everywhere(w, user, actor, "staff.reactivated")
    return user


async def record_sign_in(w: Writer, user_id: int, new_hash: str | None = None) -> None:
    """Note a successful sign-in (and store a stronger hash of the password, when the hasher's
    settings have grown since it was set: computed by the caller, outside the transaction)."""
    user = await w.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(_("There is no such staff account."))
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    await w.session.flush()

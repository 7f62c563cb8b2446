"""Staff accounts: create one, sign in, change a password, deactivate.

A password change or a deactivation ends every session of the account at once, in the same
transaction (hub/actions/sessions.py): whoever held one is signed out on their next request.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.actions import Conflict, Invalid, NotFound
from hub.actions.sessions import end_all_sessions
from hub.auth import hash_password, normalise_email
from hub.events.publish import Writer
from hub.models import Role, StaffUser, utcnow


async def create_user(
    w: Writer,
    *,
    email: str,
    display_name: str,
    password: str,
    role: str,
    council_id: int | None,
) -> StaffUser:
    try:
        role_ = Role(role)
    except ValueError:
        raise Invalid(f"role must be one of {', '.join(r.value for r in Role)}") from None
    if role_ is not Role.ADMIN and council_id is None:
        raise Invalid("clerks and councillors belong to a council")
    email = normalise_email(email)
    display_name = display_name.strip() or email
    if (
        await w.session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none():
        raise Conflict(f"a staff account for {email} exists")
    user = StaffUser(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password, [email, display_name]),
        role=role_.value,
        council_id=council_id,
    )
    w.session.add(user)
    await w.session.flush()
    return user


async def set_password(w: Writer, user_id: int, password: str) -> StaffUser:
    """A new password; every session of the account ends."""
    user = await w.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("no such staff account")
    user.password_hash = hash_password(password, [user.email, user.display_name])
    await end_all_sessions(w, user.id)
    await w.session.flush()
    return user


async def deactivate(w: Writer, user_id: int) -> StaffUser:
    """The account can no longer sign in; every session of it ends."""
    user = await w.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("no such staff account")
    user.is_active = False
    await end_all_sessions(w, user.id)
    await w.session.flush()
    return user


async def record_sign_in(w: Writer, user_id: int, new_hash: str | None = None) -> None:
    """Note a successful sign-in (and store a stronger hash of the password, when the hasher's
    settings have grown since it was set: computed by the caller, outside the transaction)."""
    user = await w.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("no such staff account")
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    await w.session.flush()

"""Staff authentication: argon2id passwords, signed session cookies, roles and CSRF.

The session cookie (Starlette's SessionMiddleware: itsdangerous-signed, HttpOnly, SameSite=Lax)
holds the user id, the user's ``session_version`` and a CSRF token. Bumping ``session_version``
(password change, deactivation) ends every session of that user at once.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from hub.actions import Conflict, Invalid
from hub.models import Role, StaffUser, utcnow

# argon2-cffi's defaults (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4): ~50 ms a login here.
_hasher = PasswordHasher()
# A hash of a random password, verified against when the email is unknown, so a login for a
# non-existent account takes as long as one with a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_CHARS = 12
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise Invalid("enter a valid email address")
    return email


async def create_user(
    session: AsyncSession,
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
    if (
        await session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none():
        raise Conflict(f"a staff account for {email} exists")
    user = StaffUser(
        email=email,
        display_name=display_name.strip() or email,
        password_hash=hash_password(password),
        role=role_.value,
        council_id=council_id,
    )
    session.add(user)
    await session.flush()
    return user


async def set_password(session: AsyncSession, user: StaffUser, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1
    await session.flush()


async def authenticate(session: AsyncSession, email: str, password: str) -> StaffUser | None:
    try:
        email = normalise_email(email)
    except Invalid:
        await asyncio.to_thread(verify_password, _DUMMY_HASH, password)
        return None
    user = (
        await session.execute(select(StaffUser).where(StaffUser.email == email))
    ).scalar_one_or_none()
    # argon2 costs ~50 ms of CPU: verify in a thread so the event loop keeps streaming.
    if user is None or not user.is_active:
        await asyncio.to_thread(verify_password, _DUMMY_HASH, password)
        return None
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True)
class StaffIdentity:
    """The signed-in staff member, as routes see them."""

    user_id: int
    display_name: str
    role: Role
    council_id: int | None

    def can_drive(self, council_id: int) -> bool:
        """Clerks drive their own council's meetings; admins drive any."""
        if self.role is Role.ADMIN:
            return True
        return self.role is Role.CLERK and self.council_id == council_id

    def can_review(self, council_id: int) -> bool:
        if self.role is Role.ADMIN:
            return True
        return self.council_id == council_id


def login(conn: HTTPConnection, user: StaffUser) -> None:
    conn.session.clear()  # a fresh session on login: no fixation
    conn.session["uid"] = user.id
    conn.session["ver"] = user.session_version
    conn.session["csrf"] = secrets.token_urlsafe(32)


def logout(conn: HTTPConnection) -> None:
    conn.session.clear()


async def current_staff(conn: HTTPConnection, session: AsyncSession) -> StaffIdentity | None:
    uid = conn.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = await session.get(StaffUser, uid)
    if user is None or not user.is_active or user.session_version != conn.session.get("ver"):
        conn.session.clear()
        return None
    return StaffIdentity(user.id, user.display_name, Role(user.role), user.council_id)


def csrf_token(conn: HTTPConnection) -> str:
    token = conn.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        conn.session["csrf"] = token
    return token


def csrf_valid(conn: HTTPConnection, submitted: str | None) -> bool:
    expected = conn.session.get("csrf")
    if not isinstance(expected, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())

"""Staff accounts and their roles per council. Residents have no accounts (see participation,
issue 4).

A person is one account (one email, one password) with a role in each council they serve:
a clerk of one council can be a councillor of another. A deployment admin serves every council
(creates councils and their admins) without a membership in each.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """A role in one council. Each includes the one below it: an admin does what the
    council's clerks do, a clerk reads what its councillors read."""

    ADMIN = "admin"  # manages the council's settings, sources and staff, and drives meetings
    CLERK = "clerk"  # drives and moderates the council's meetings
    COUNCILLOR = "councillor"  # reviews residents' feedback for the council


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # argon2id hash (argon2-cffi); never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    # Every council, and the deployment's accounts (hub/actions/memberships.py).
    is_deployment_admin: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Retired by 0015 (roles are memberships now) and always NULL since: the column stays
    # because SQLite drops a column with a foreign key only by copying the table, and dropping
    # the original would run the ON DELETE actions of every table pointing at staff_users
    # (sessions deleted, moderation records' moderated_by set NULL).
    legacy_council_id: Mapped[int | None] = mapped_column(
        "council_id",
        ForeignKey("councils.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StaffMembership(Base):
    """One person's role in one council."""

    __tablename__ = "staff_memberships"
    __table_args__ = (UniqueConstraint("user_id", "council_id", name="uq_staff_memberships_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

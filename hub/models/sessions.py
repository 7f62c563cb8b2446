"""Staff sessions, kept on the server so that signing out (or a password change, or a
deactivation) ends them for good: a copy of the cookie is worth nothing once its row is gone.

The cookie carries a random session id; this table keeps only its SHA-256, so a copy of the
database (a backup, a leak) holds no usable sessions. No IP address is kept: that is personal
data the hub does not need.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow

USER_AGENT_CHARS = 120


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    # hex SHA-256 of the session id in the cookie (hub/auth.py session_key).
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Refreshed at most every few minutes (hub/web/guards.py), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Indexed: expired sessions are purged with one range delete.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The browser's User-Agent, cut short: enough to tell a staff member's devices apart.
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_CHARS), nullable=True)

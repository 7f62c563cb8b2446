"""Staff sessions: started at sign-in, ended by signing out (here or everywhere), by a password
change and by a deactivation; purged once expired.

The table is the truth (hub/models/sessions.py): a session whose row is gone has ended, whatever
its cookie says.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Delete, delete, update

from hub.auth import SESSION_LIFETIME, session_key
from hub.events.publish import Writer
from hub.models import StaffSession, utcnow
from hub.models.sessions import USER_AGENT_CHARS


async def start_session(w: Writer, user_id: int, user_agent: str | None) -> str:
    """A new session for the account; returns its id, for the cookie only (the row keeps its
    hash). Expired sessions are purged here: sign-ins are frequent enough to keep the table
    small and rare enough to cost nothing."""
    await purge_expired(w)
    new_id = secrets.token_urlsafe(32)
    now = utcnow()
    w.session.add(
        StaffSession(
            id_hash=session_key(new_id),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
            user_agent=(user_agent or "")[:USER_AGENT_CHARS] or None,
        )
    )
    await w.session.flush()
    return new_id


async def end_session(w: Writer, session_id: str) -> None:
    """Sign out: this session ends (nothing happens if it already had)."""
    await w.session.execute(
        delete(StaffSession).where(StaffSession.id_hash == session_key(session_id))
    )


async def end_all_sessions(w: Writer, user_id: int) -> int:
    """Every session of the account ends, on every device; returns how many there were."""
    return await _deleted(w, delete(StaffSession).where(StaffSession.user_id == user_id))


async def touch_session(w: Writer, key: str) -> None:
    """Note that the session (by its ``id_hash``) was used now."""
    await w.session.execute(
        update(StaffSession).where(StaffSession.id_hash == key).values(last_seen_at=utcnow())
    )


async def purge_expired(w: Writer, now: datetime | None = None) -> int:
    """Delete the sessions that expired before ``now``; returns how many."""
    return await _deleted(
        w, delete(StaffSession).where(StaffSession.expires_at <= (now or utcnow()))
    )


async def _deleted(w: Writer, statement: Delete) -> int:
    result: CursorResult[Any] = await w.session.execute(statement)  # type: ignore[assignment]
    return result.rowcount

"""Leases: one process, of several sharing the database, does a job only one may do.

``claim`` takes the lease if nobody holds it, renews it if the caller does, and takes it over
once its holder has let it expire (a holder that died stops renewing). One conditional UPDATE
(then an INSERT for a lease never taken) decides it, so two processes claiming at once cannot
both win, on SQLite (one writer at a time) or PostgreSQL (the row lock orders them; the primary
key refuses a second INSERT).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, or_, update
from sqlalchemy.exc import IntegrityError

from hub.events.publish import Writer
from hub.models import Lease


async def claim(w: Writer, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """True if ``holder`` holds the lease ``name`` until ``now + ttl`` once this commits."""
    result: CursorResult[Any] = await w.session.execute(  # type: ignore[assignment]
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at <= now))
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return True
    try:
        async with w.session.begin_nested():
            w.session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
    except IntegrityError:
        return False  # held by another, unexpired
    return True


async def release(w: Writer, name: str, holder: str) -> None:
    """Give the lease up (at shutdown) so another process takes it at once, not at expiry."""
    await w.session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))

"""Leases: which process does a job that only one process may do (polling a social source,
syncing an agenda source) when several serve the same database.

A lease is a row: its holder renews it well before ``expires_at``; a holder that dies stops
renewing, and once it has expired any other process takes it (hub/actions/leases.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime


class Lease(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Who holds it: a random id per process (hub/leadership.py), never an address.
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

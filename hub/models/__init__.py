"""SQLAlchemy models, one module per noun. Importing this package registers every table."""

from hub.models.accounts import Role, StaffMembership, StaffUser
from hub.models.agenda_sources import AgendaSource
from hub.models.audit import CouncilAuditEntry
from hub.models.base import Base, UTCDateTime, iso, utcnow
from hub.models.councils import Council
from hub.models.event_log import MeetingEvent
from hub.models.invites import StaffInvite
from hub.models.leases import Lease
from hub.models.meetings import AgendaItem, ItemStatus, Meeting, MeetingStatus
from hub.models.participation import (
    Contribution,
    ContributionStatus,
    Kind,
    ModerationLog,
    ParticipantBlock,
    Position,
    Vote,
)
from hub.models.sessions import StaffSession
from hub.models.social import Platform, SocialPost, SocialSource

__all__ = [
    "AgendaItem",
    "AgendaSource",
    "Contribution",
    "ContributionStatus",
    "Kind",
    "Lease",
    "Platform",
    "SocialPost",
    "SocialSource",
    "ModerationLog",
    "ParticipantBlock",
    "Position",
    "Vote",
    "Base",
    "Council",
    "CouncilAuditEntry",
    "ItemStatus",
    "Meeting",
    "MeetingEvent",
    "MeetingStatus",
    "Role",
    "StaffInvite",
    "StaffMembership",
    "StaffSession",
    "StaffUser",
    "UTCDateTime",
    "iso",
    "utcnow",
]

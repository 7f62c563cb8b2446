"""Residents' side: their own submissions, and the public moderation figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.i18n import gettext_
from hub.models import Contribution, Kind, Meeting, Vote
from hub.policy import policy_of
from hub.shapes.own import Mine, own_view
from hub.shapes.public import ModerationSummary
from hub.shapes.serialise import as_json


async def mine(session: AsyncSession, meeting: Meeting, participant: str) -> dict[str, Any]:
    """A resident's own submissions (with status) and the questions they voted for."""
    policy = policy_of(meeting.council)
    rows = await session.execute(
        select(Contribution)
        .where(Contribution.meeting_id == meeting.id, Contribution.participant_id == participant)
        .order_by(Contribution.id)
    )
    own = []
    for c in rows.scalars():
        label = policy.reasons.get(c.reason) if c.reason else None
        own.append(own_view(c, gettext_(label) if label else None))
    votes = await session.execute(
        select(Vote.contribution_id)
        .join(Contribution, Contribution.id == Vote.contribution_id)
        .where(Contribution.meeting_id == meeting.id, Vote.participant_id == participant)
    )
    return as_json(Mine(contributions=own, votes=sorted(int(v) for v in votes.scalars())))


async def moderation_summary(session: AsyncSession, meeting_id: int) -> dict[str, Any]:
    """Public transparency figures on residents' submissions: how many published, pending,
    rejected and taken down (by reason). Counts only: nothing about who wrote what. Social posts
    are not counted: residents did not submit them, and most wait for a clerk by design."""
    rows = await session.execute(
        select(Contribution.status, Contribution.reason, func.count(Contribution.id))
        .where(Contribution.meeting_id == meeting_id, Contribution.kind != Kind.POST.value)
        .group_by(Contribution.status, Contribution.reason)
    )
    counts = {"published": 0, "pending": 0}
    refused: dict[str, dict[str, int]] = {"rejected": {}, "hidden": {}}
    for status, reason, count in rows.all():
        if status in refused:
            key = reason or "other"
            refused[status][key] = refused[status].get(key, 0) + int(count)
        elif status in counts:
            counts[status] += int(count)
    summary = ModerationSummary(
        published=counts["published"],
        pending=counts["pending"],
        rejected=refused["rejected"],
        hidden=refused["hidden"],
    )
    return as_json(summary)

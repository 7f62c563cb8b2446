"""A resident's data, found by the participant code their page shows them: for their right of
access (export) and the council's answer to an erasure request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Contribution, Meeting, ParticipantBlock, Vote, iso
from hub.shapes.own import participant_code


async def find_participant(session: AsyncSession, code: str) -> str | None:
    """The participant id whose code is ``code`` (codes are one-way: every id the hub holds
    is tried; a deployment holds thousands, not millions)."""
    wanted = code.strip().upper()
    ids = await session.scalars(
        union(
            select(Contribution.participant_id),
            select(Vote.participant_id),
            select(ParticipantBlock.participant_id),
        )
    )
    for participant in ids:
        if participant_code(participant) == wanted:
            return str(participant)
    return None


async def export(session: AsyncSession, participant: str) -> dict[str, Any]:
    """Everything the hub holds about one participant, as JSON-ready data."""
    rows = await session.execute(
        select(Contribution, Meeting.title)
        .join(Meeting, Meeting.id == Contribution.meeting_id)
        .where(Contribution.participant_id == participant)
        .order_by(Contribution.id)
    )
    votes = await session.execute(
        select(Vote.contribution_id, Vote.created_at).where(Vote.participant_id == participant)
    )
    blocks = await session.execute(
        select(ParticipantBlock.meeting_id, ParticipantBlock.created_at).where(
            ParticipantBlock.participant_id == participant
        )
    )
    return {
        "participant_code": participant_code(participant),
        "contributions": [
            {
                "id": c.id,
                "meeting_id": c.meeting_id,
                "meeting": title,
                "item_id": c.item_id,
                "kind": c.kind,
                "position": c.position,
                "body": c.body,
                "display_name": c.display_name,
                "area": c.area,
                "status": c.status,
                "reason": c.reason,
                "created_at": iso(c.created_at),
                "published_at": iso(c.published_at),
            }
            for c, title in rows.all()
        ],
        "votes": [{"question_id": int(q), "at": iso(at)} for q, at in votes.all()],
        "blocked_in_meetings": [{"meeting_id": int(m), "at": iso(at)} for m, at in blocks.all()],
    }

"""Residents' actions: submit a comment or question, vote on a question.

A submission is committed before it is acknowledged (the route answers 201 only after the
transaction); a retry with the same client token returns the same submission instead of a
second one, so a resident's page can retry a failed send without fear of duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select

from hub.actions import ActionError, Invalid, NotFound, is_id, storable
from hub.actions._locks import lock_meeting
from hub.actions.group_lookup import look_up
from hub.events.publish import Writer
from hub.events.schema import (
    ContributionPublished,
    Event,
    ModerationItemUpdated,
    OwnContributionUpdated,
)
from hub.i18n import gettext_ as _
from hub.models import (
    AgendaItem,
    Contribution,
    ContributionStatus,
    Kind,
    Meeting,
    Position,
    utcnow,
)
from hub.policy import CLOSED_MESSAGES, Closed, Policy, item_window, meeting_window, policy_of
from hub.screening import body_key, screen
from hub.shapes.own import own_view
from hub.shapes.public import contribution_view
from hub.shapes.staff import staff_view

NAME_MAX_CHARS = 60
AREA_MAX_CHARS = 60
TOKEN_MAX_CHARS = 64


class Forbidden(ActionError):
    status = 403
    code = "blocked"


class WindowClosed(ActionError):
    status = 409
    code = "closed"

    def __init__(self, reason: Closed) -> None:
        super().__init__(_(CLOSED_MESSAGES[reason]))
        # Why (hub/policy.py's Closed): the page offers a draft refused because its item
        # closed other choices than one refused because the meeting is over.
        self.reason = reason


@dataclass(frozen=True)
class Submission:
    """What a resident sent, already typed; ``check`` enforces the hard limits."""

    kind: str
    body: str
    position: str | None = None
    item_id: int | None = None
    # True: about the meeting in general, even while an item is being discussed. Otherwise no
    # item_id means the item being discussed.
    general: bool = False
    display_name: str | None = None
    area: str | None = None
    client_token: str = ""


def _clean(value: str | None, limit: int, what: str) -> str | None:
    if value is None:
        return None
    value = " ".join(storable(value).split())
    if len(value) > limit:
        raise Invalid(
            _("%(what)s is longer than %(limit)d characters") % {"what": what, "limit": limit}
        )
    return value or None


def check(sub: Submission, policy: Policy) -> Submission:
    """Refuse what can never be accepted, with a message the resident can act on."""
    try:
        kind = Kind(sub.kind)
    except ValueError:
        raise Invalid(_("Choose a comment or a question.")) from None
    position = sub.position or None
    if kind is Kind.COMMENT:
        try:
            position = Position(position or "").value
        except ValueError:
            raise Invalid(_("Say whether you support, oppose or are neutral.")) from None
    else:
        position = None  # a question takes no position (a form may still send the radio)
    body = storable(sub.body or "").strip()
    if not body:
        raise Invalid(_("Write your comment or question first."))
    if len(body) > policy.max_chars:
        raise Invalid(
            _("Please keep it under %(limit)d characters (yours has %(count)d).")
            % {"limit": policy.max_chars, "count": len(body)}
        )
    token = storable(sub.client_token or "").strip()
    if not token or len(token) > TOKEN_MAX_CHARS:
        raise Invalid("client_token must be 1 to 64 characters")
    return Submission(
        kind=kind.value,
        body=body,
        position=position,
        item_id=sub.item_id,
        general=sub.general,
        display_name=_clean(sub.display_name, NAME_MAX_CHARS, _("Your name")),
        area=_clean(sub.area, AREA_MAX_CHARS, _("Your ward or postcode district")),
        client_token=token,
    )


@dataclass(frozen=True)
class Entry:
    """One resident's submission as it waits for its group's transaction."""

    participant: str
    sub: Submission
    address: str = ""  # the client's address, for the council's per-address rate limit


# What each entry of a group gets: its contribution and whether it is new (False for a retried
# token), or the refusal the resident sees.
Outcome = tuple[Contribution, bool] | ActionError
# Charges a new, valid submission against the council's rate limits; a refusal, or None.
Admit = Callable[[Policy, Entry], ActionError | None]


class RateLimited(ActionError):
    status = 429
    code = "rate_limited"
    retry_after_s = 60  # a tenth of the limits' period (hub/intake.py): some allowance is back


async def submit(
    w: Writer, meeting_id: int, participant: str, sub: Submission
) -> tuple[Contribution, bool]:
    """Store one submission; returns it and whether it is new (False for a retried token)."""
    [outcome] = await submit_many(w, meeting_id, [Entry(participant, sub)])
    if isinstance(outcome, ActionError):
        raise outcome
    return outcome


async def submit_many(
    w: Writer, meeting_id: int, entries: list[Entry], admit: Admit | None = None
) -> list[Outcome]:
    """Store several residents' submissions to one meeting in the writer's transaction.

    The meeting is locked once and every lookup (retried tokens, blocks, items, repeats) is one
    query for the whole group, so a group costs about what one submission does. Each entry
    gets its own outcome: one resident's refusal never fails another's submission.
    """
    try:
        meeting = await lock_meeting(w, meeting_id)
    except NotFound:
        return [NotFound(_("There is no such meeting.")) for _entry in entries]
    policy = policy_of(meeting.council)
    outcomes: list[Outcome | None] = [None] * len(entries)
    subs: list[Submission] = []
    for i, entry in enumerate(entries):
        try:
            subs.append(check(entry.sub, policy))
        except ActionError as exc:
            subs.append(entry.sub)
            outcomes[i] = exc

    def pending() -> list[int]:
        return [i for i, out in enumerate(outcomes) if out is None]

    # Every lookup the group needs in one statement: retried tokens, blocks, repeated bodies
    # (screening) and the item being discussed (hub/actions/group_lookup.py).
    keys = {i: body_key(subs[i].body) for i in pending()}
    known = await look_up(
        w.session,
        meeting_id,
        ((entries[i].participant, subs[i].client_token) for i in pending()),
        keys.values(),
    )
    if known.retried:  # a retried token answers with what was stored the first time
        stored = await w.session.scalars(
            select(Contribution).where(Contribution.id.in_(set(known.retried.values())))
        )
        by_id = {c.id: c for c in stored}
        for i in pending():
            found = known.retried.get((entries[i].participant, subs[i].client_token))
            if found is not None:
                outcomes[i] = (by_id[found], False)
    if not pending():
        return _settled(outcomes)

    blocked = known.blocked
    now = utcnow()
    closed = meeting_window(policy, meeting, now)
    targets = _Targets(w, meeting, policy, known.current_item)
    repeats = set(known.repeats)
    rows: list[dict[str, object]] = []
    new: list[int] = []  # entry index of each row
    first_of: dict[tuple[str, str], int] = {}  # a token sent twice in one group: one row
    for i in pending():
        entry, sub = entries[i], subs[i]
        if (entry.participant, sub.client_token) in first_of:
            continue  # answered with the first one's row below
        try:
            if entry.participant in blocked:
                raise Forbidden(_("You can no longer post in this meeting."))
            if closed is not None:
                raise WindowClosed(closed)
            item_id = None if sub.general else await targets.item(sub.item_id)
            refusal = admit(policy, entry) if admit is not None else None
            if refusal is not None:
                raise refusal
        except ActionError as exc:
            outcomes[i] = exc
            continue
        first_of[(entry.participant, sub.client_token)] = i
        verdict = screen(sub.body, policy, keys[i] in repeats)
        repeats.add(keys[i])
        publish = not policy.premoderated and not verdict.held
        status = ContributionStatus.PUBLISHED if publish else ContributionStatus.PENDING
        rows.append(
            {
                "meeting_id": meeting_id,
                "item_id": item_id,
                "kind": sub.kind,
                "position": sub.position,
                "body": sub.body,
                "body_key": keys[i],
                "display_name": sub.display_name,
                "area": sub.area,
                "participant_id": entry.participant,
                "client_token": sub.client_token,
                "status": status.value,
                "screening": verdict.summary(),
                "answered": False,
                "votes": 0,
                "created_at": now,
                "published_at": now if publish else None,
            }
        )
        new.append(i)
    if rows:
        # One multi-row INSERT. Rows come back matched by (participant, token), which is unique
        # per meeting, rather than in order: ordered RETURNING costs SQLite a statement a row.
        conn = await w.session.connection()
        returned = await conn.execute(_INSERT_RETURNING_KEYS, rows)
        ids = {(p, t): int(i) for i, p, t in returned}
        events: list[tuple[Event, str | None]] = []
        for i, row in zip(new, rows, strict=True):
            contribution = _as_stored(ids[(entries[i].participant, subs[i].client_token)], row)
            outcomes[i] = (contribution, True)
            events.append(
                (
                    ModerationItemUpdated(
                        contribution=staff_view(contribution, None), action="submitted"
                    ),
                    None,
                )
            )
            events.append(
                (
                    OwnContributionUpdated(contribution=own_view(contribution, None)),
                    entries[i].participant,
                )
            )
            if contribution.status == ContributionStatus.PUBLISHED:
                events.append(
                    (ContributionPublished(contribution=contribution_view(contribution)), None)
                )
        await w.emit_many(meeting_id, events)
    for i in pending():  # the second of a token sent twice: the same submission, not new
        first = outcomes[first_of[(entries[i].participant, subs[i].client_token)]]
        outcomes[i] = (first[0], False) if isinstance(first, tuple) else first
    return _settled(outcomes)


_CONTRIBUTIONS = cast(Table, Contribution.__table__)
_INSERT_RETURNING_KEYS = insert(_CONTRIBUTIONS).returning(
    _CONTRIBUTIONS.c.id, _CONTRIBUTIONS.c.participant_id, _CONTRIBUTIONS.c.client_token
)
# Every column of a resident's submission a row of the INSERT above leaves to its default.
_UNSET = dict.fromkeys(
    ("reason", "moderated_at", "moderated_by", "post", "personal_data_removed_at")
)


def _as_stored(contribution_id: int, row: dict[str, object]) -> Contribution:
    """The row just inserted as a Contribution, the way the ORM builds one it loaded (its
    state set directly, no change events): nothing flushes it, the views and the answer only
    read it, and the constructor's 17 instrumented attribute sets cost ~33 µs a row."""
    contribution: Contribution = Contribution.__mapper__.class_manager.new_instance()
    contribution.__dict__.update(row, id=contribution_id, **_UNSET)
    return contribution


def _settled(outcomes: list[Outcome | None]) -> list[Outcome]:
    assert all(out is not None for out in outcomes)
    return [out for out in outcomes if out is not None]


class _Targets:
    """The item each submission is about, read once per group: the one asked for (open, on
    this agenda), or the one being discussed, or none (the meeting in general)."""

    def __init__(self, w: Writer, meeting: Meeting, policy: Policy, current: int | None) -> None:
        self._w, self._meeting, self._policy = w, meeting, policy
        self._items: dict[int, AgendaItem | None] = {}
        self._current = current  # the public item being discussed (group_lookup.Known)

    async def item(self, item_id: int | None) -> int | None:
        if item_id is None:
            return self._current
        if item_id not in self._items:
            found = await self._w.session.get(AgendaItem, item_id) if is_id(item_id) else None
            self._items[item_id] = found
        item = self._items[item_id]
        if item is None or item.meeting_id != self._meeting.id or item.private:
            raise NotFound(_("There is no such item on this meeting's agenda."))
        closed = item_window(self._policy, item)
        if closed is not None:
            raise WindowClosed(closed)
        return item.id

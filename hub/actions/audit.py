"""The council audit log: every action that changes a council, its staff, settings or sources
records who did what here, in the same transaction as the change (so the log has no entry for
a change that rolled back, and no change without its entry).

Details are a short structured summary (names, roles, which fields changed), never a password,
a token or a credential: ``record`` refuses keys that could carry one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from hub.actions._locks import Actor
from hub.events.publish import Writer
from hub.models import CouncilAuditEntry, utcnow

# Every action code, and the detail keys it carries (hub/web/staff/audit_words.py renders
# each as a sentence in the reader's language).
ACTIONS: dict[str, frozenset[str]] = {
    "council.created": frozenset({"slug", "name"}),
    "council.policy_changed": frozenset({"fields"}),
    "council.licence_set": frozenset({"name"}),
    "council.identity_changed": frozenset({"fields"}),
    "council.colours_set": frozenset({"brand", "text"}),
    "council.languages_set": frozenset({"timezone", "languages", "default"}),
    "social_source.added": frozenset({"name", "platform"}),
    "social_source.credentials_set": frozenset({"name"}),
    "social_source.removed": frozenset({"name"}),
    "agenda_source.added": frozenset({"name", "kind"}),
    "agenda_source.removed": frozenset({"name"}),
    "staff.added": frozenset({"name", "email", "role"}),
    "staff.role_changed": frozenset({"name", "email", "role", "previous"}),
    "staff.removed": frozenset({"name", "email", "role"}),
    "staff.deactivated": frozenset({"name", "email"}),
    "staff.reactivated": frozenset({"name", "email"}),
    "staff.password_set": frozenset({"name", "email"}),
    "invite.created": frozenset({"email", "role"}),
    "invite.revoked": frozenset({"email", "role"}),
    "invite.accepted": frozenset({"name", "email", "role"}),
}
# A detail value is short: a name, a slug, a role, a list of field names.
DETAIL_MAX_CHARS = 300
ACTOR_NAME_MAX_CHARS = 120  # council_audit.actor_name
Detail = str | int | bool | list[str]


async def record(
    w: Writer, *, council_id: int, actor: Actor | None, action: str, details: Mapping[str, Detail]
) -> CouncilAuditEntry:
    """One entry in the council's audit log. ``actor`` None: the command line."""
    allowed = ACTIONS.get(action)
    if allowed is None:
        raise ValueError(f"unknown audit action {action!r}")
    if set(details) - allowed:
        # A programming error, not a user's: a key outside the list could be a secret.
        raise ValueError(f"{action} carries no {sorted(set(details) - allowed)}")
    summary = {
        key: (
            [str(v)[:DETAIL_MAX_CHARS] for v in value]
            if isinstance(value, list)
            else value[:DETAIL_MAX_CHARS]
            if isinstance(value, str)
            else value
        )
        for key, value in details.items()
    }
    entry = CouncilAuditEntry(
        council_id=council_id,
        at=utcnow(),
        actor_id=actor.user_id if actor else None,
        actor_name=actor.display_name[:ACTOR_NAME_MAX_CHARS] if actor else None,
        action=action,
        details=json.dumps(summary, ensure_ascii=False, sort_keys=True),
    )
    w.session.add(entry)
    await w.session.flush()
    return entry

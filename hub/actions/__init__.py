"""Actions: the only code that changes state, one module per noun.

Each runs in one write transaction (``async with writing(...) as w``, hub/events/publish.py),
changes rows through ``w.session``, appends the events that describe the change to the
meeting's log there, and its events are published after the commit. Routes, commands,
importers and pollers all call these; nothing else writes (a test keeps it so).

- ``_locks``: the meeting row lock every meeting action takes first, and ``Actor``.
- ``meetings``: create, update (details, submission window), open / adjourn / close, prune.
- ``agenda``: items: add, make current, outcomes.
- ``councils``: create, change policy (open pages learn of it as events).
- ``accounts``: staff accounts: create, sign-in, password, deactivate, reactivate.
- ``memberships``: a person's role in a council: give, change, take away (a council keeps its
  last admin).
- ``invites``: one-time invitation links to a council's staff: create, revoke, accept.
- ``audit``: the council audit log every council-level action writes in its own transaction.
- ``sessions``: staff sessions: start, end (one or all of an account's), touch, purge expired.
- ``participation``, ``votes``: residents' submissions and votes (grouped by hub/intake.py).
- ``moderation``: clerks' decisions.
"""

from __future__ import annotations

import re


class ActionError(Exception):
    """A request the current state refuses; routes turn it into a clear 4xx."""

    status = 400
    code = "invalid"
    # Seconds after which the same request may succeed (sent as Retry-After), if it may.
    retry_after_s: int | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ActionError):
    status = 404
    code = "not_found"


class Conflict(ActionError):
    """The action does not apply to the current state (e.g. adjourning a closed meeting)."""

    status = 409
    code = "conflict"


class Invalid(ActionError):
    status = 422
    code = "invalid"


# Row ids are 32-bit integers (PostgreSQL's INTEGER). A larger number from a URL or a JSON body
# names nothing, and must be refused as such before it reaches the database, which would raise
# an error instead (failing a whole group of residents' submissions, hub/intake.py).
MAX_ID = 2**31 - 1


def is_id(value: int) -> bool:
    return 0 < value <= MAX_ID


# Control characters other than tab and line breaks: invisible on every page, and PostgreSQL
# refuses NUL in text. Dropped, so a pasted stray byte neither fails a request nor hides in it.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def storable(text: str) -> str:
    """Text as every database can store it: control characters dropped, and a lone surrogate
    (JSON can carry "\\ud800", UTF-8 cannot) replaced, so the database never refuses the row
    and SQLite and PostgreSQL store the same thing."""
    text = _CONTROLS.sub("", text)
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text

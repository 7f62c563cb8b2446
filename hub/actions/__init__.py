"""Actions: the only code that changes state. Each runs in one write transaction, appends its
events to the meeting's log there, and its events are published after the commit
(hub/events/publish.py)."""

from __future__ import annotations


class ActionError(Exception):
    """A request the current state refuses; routes turn it into a clear 4xx."""

    status = 400
    code = "invalid"

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

"""A staff POST that runs one action: the form and its CSRF token checked, the caller
authorised for the meeting, the action run in one transaction, its refusal rendered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from hub.actions import ActionError
from hub.actions._locks import Actor
from hub.events.publish import Writer, writing
from hub.models import Meeting
from hub.web import services
from hub.web.errors import refusal
from hub.web.guards import Need, staff_action

T = TypeVar("T")
# The action to run: given the transaction, who acts, the meeting and the checked form.
Act = Callable[[Writer, Actor, Meeting, dict[str, str]], Awaitable[T]]


@dataclass(frozen=True)
class Done(Generic[T]):
    result: T
    meeting: Meeting
    last_seq: int  # the last seq the action appended (the meeting's, if it appended none)


async def perform(request: Request, act: Act[T], need: Need = Need.DRIVE) -> Done[T] | Response:
    checked = await staff_action(request, need)
    if isinstance(checked, Response):
        return checked
    staff, meeting, form = checked
    svc = services(request)
    try:
        async with writing(svc.sessionmaker, svc.broker) as w:
            result = await act(w, Actor(staff.user_id, staff.display_name), meeting, form)
    except ActionError as exc:
        return refusal(request, exc)
    last_seq = w.appended[-1].seq if w.appended else meeting.last_seq
    return Done(result, meeting, last_seq)

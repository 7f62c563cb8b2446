"""Residents' participation: submit a comment or question, vote, see their own submissions.

The JSON endpoints take ``Content-Type: application/json`` only: a cross-site page cannot send
that without a CORS preflight, which the hub never grants, so they need no CSRF token. The
plain-form fallback (no JavaScript) carries a token bound to the participant cookie. Both
refuse a foreign ``Origin`` (hub/web/guards.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import ActionError, is_id
from hub.actions.participation import Entry, RateLimited, Submission, WindowClosed
from hub.actions.votes import Ballot
from hub.i18n import N_
from hub.i18n import gettext_ as _
from hub.models import Contribution
from hub.queries.meetings import load_meeting
from hub.queries.participation import mine
from hub.shapes.own import Mine, OwnContributionView, own_view
from hub.shapes.public import VoteAnswer, contribution_view
from hub.shapes.serialise import as_json
from hub.web import participants, services
from hub.web.errors import error_response, json_error, refusal
from hub.web.guards import foreign_origin
from hub.web.inputs import (
    SUBMISSION_FIELDS,
    BadField,
    media_type,
    read_form,
    read_json,
    submission_from,
    takes,
)
from hub.web.openapi import ERROR, NOT_FOUND, Body, Operation, Param, documented

# The no-JavaScript form's token: a hex HMAC-SHA256 (hub/web/participants.py).
FORM_TOKEN_MAX_CHARS = 64

# Up-votes one network address may cast on one question per period: (capacity, seconds). A
# chamber's public wi-fi puts a room of residents behind one address; 100 in 10 minutes covers
# a full public gallery and caps what one machine minting cookies can add.
VOTES_PER_ADDRESS = (100, 600.0)

# Refusals every resident's POST may get, beside its own.
TOO_LARGE = Body(N_("The body is over 16 KiB (too_large)."), ERROR)
ORIGIN = Body(N_("Sent from another site's page (origin), or refused for this caller."), ERROR)
RATE_LIMITED = Body(
    N_("Too many in a short time (rate_limited): wait Retry-After seconds."),
    ERROR,
    headers={"Retry-After": N_("Seconds to wait.")},
)
UNAVAILABLE = Body(
    N_("Not stored just now (unavailable): send it again after Retry-After seconds."),
    ERROR,
    headers={"Retry-After": N_("Seconds to wait.")},
)
JSON_ONLY = Body(N_("Only application/json is taken (json_only)."), ERROR)


def _participant(request: Request) -> tuple[str, bool]:
    """The caller's participant id, and whether it is new (so the response sets the cookie)."""
    svc = services(request)
    existing = participants.participant_of(request, svc.settings.secret_key)
    if existing is not None:
        return existing, False
    return participants.new_participant(), True


def _with_cookie(request: Request, response: Response, participant: str, new: bool) -> Response:
    if new:
        svc = services(request)
        participants.set_cookie(
            response, participant, svc.settings.secret_key, svc.settings.https_only
        )
    return response


async def _submit(request: Request, participant: str, sub: Submission) -> Contribution:
    """Queue the submission for the next group commit; the answer comes after its commit.
    Raises the action's refusal."""
    address = request.client.host if request.client else "unknown"
    entry = Entry(participant, sub, address)
    contribution, _new = await services(request).intake.submit(
        request.path_params["meeting_id"], entry
    )
    return contribution


@documented(
    Operation(
        tag=N_("Participation"),
        summary=N_("Send a comment or question"),
        description=N_(
            "Answers 201 once it is stored, with its status: pending (a clerk reads it first) "
            "or published. A retry with the same client_token is the same submission."
        ),
        body_fields={
            "kind": {"enum": ["comment", "question"]},
            "position": {"enum": ["support", "oppose", "neutral"]},
            "body": {"type": "string", "minLength": 1, "maxLength": SUBMISSION_FIELDS["body"]},
            "item_id": {"type": ["integer", "null"]},
            "client_token": {
                "type": "string",
                "minLength": 1,
                "maxLength": SUBMISSION_FIELDS["client_token"],
            },
        },
        body_required=("kind", "body", "client_token"),
        responses={
            201: Body(N_("Stored: the sender's own view of it."), OwnContributionView),
            400: Body(N_("The body is not a JSON object (bad_json)."), ERROR),
            403: ORIGIN,
            404: NOT_FOUND,
            409: Body(N_("Not taking submissions now (closed): reason says which window."), ERROR),
            413: TOO_LARGE,
            415: JSON_ONLY,
            422: Body(N_("Something to fix (invalid): the message says what."), ERROR),
            429: RATE_LIMITED,
            503: UNAVAILABLE,
        },
    )
)
@takes(json=SUBMISSION_FIELDS)
async def create_contribution(request: Request) -> Response:
    """POST /api/meetings/{id}/contributions: 201 once it is committed."""
    if (refused := foreign_origin(request)) is not None:
        return refused
    data = await read_json(request)
    if isinstance(data, Response):
        return data
    try:
        sub = submission_from(data)
    except BadField as exc:
        return json_error(422, "invalid", str(exc))
    participant, new = _participant(request)
    try:
        contribution = await _submit(request, participant, sub)
    except WindowClosed as exc:
        # Which window closed: the page keeps a draft whose item closed and lets the resident
        # choose where it goes, while one refused because the meeting is over is only kept.
        answer = json_error(exc.status, exc.code, exc.message, reason=exc.reason.value)
        return _with_cookie(request, answer, participant, new)
    except ActionError as exc:
        return _with_cookie(request, refusal(request, exc), participant, new)
    body = as_json(own_view(contribution, None))
    return _with_cookie(request, JSONResponse(body, status_code=201), participant, new)


@takes(form={**SUBMISSION_FIELDS, "form_token": FORM_TOKEN_MAX_CHARS})
async def contribute_form(request: Request) -> Response:
    """The no-JavaScript form: same action, then back to the page with a message."""
    meeting_id: int = request.path_params["meeting_id"]
    svc = services(request)
    if (refused := foreign_origin(request)) is not None:
        return refused
    values = await read_form(request)
    if isinstance(values, Response):
        return values
    participant = participants.participant_of(request, svc.settings.secret_key)
    if participant is None or not participants.form_token_valid(
        participant, svc.settings.secret_key, values.get("form_token")
    ):
        return error_response(
            request, 403, "csrf", _("This form has expired. Reload the page and try again.")
        )
    try:
        sub = submission_from(values, form=True)
        contribution = await _submit(request, participant, sub)
    except BadField as exc:
        return error_response(request, 422, "invalid", str(exc))
    except ActionError as exc:
        return refusal(request, exc)
    return RedirectResponse(f"/meetings/{meeting_id}?sent={contribution.id}#mine", status_code=303)


@documented(
    Operation(
        tag=N_("Participation"),
        summary=N_("The caller's own submissions"),
        description=N_(
            "What this browser sent (its participant cookie), with each one's status, and the "
            "questions it voted for. Empty without the cookie."
        ),
        responses={200: Body(N_("The caller's submissions and votes."), Mine), 404: NOT_FOUND},
    )
)
async def my_contributions(request: Request) -> Response:
    svc = services(request)
    participant = participants.participant_of(request, svc.settings.secret_key)
    async with svc.sessionmaker() as session:
        meeting = await load_meeting(session, request.path_params["meeting_id"])
        if meeting is None:
            return json_error(404, "not_found", "no such meeting")
        if participant is None:
            return JSONResponse({"contributions": [], "votes": []})
        return JSONResponse(await mine(session, meeting, participant))


async def _vote(request: Request, up: bool) -> Response:
    if (refused := foreign_origin(request)) is not None:
        return refused
    # POST must be JSON (no cross-site form can send it); DELETE is never a simple request,
    # so a browser always preflights it cross-site.
    if up and media_type(request) != "application/json":
        return json_error(415, "json_only", "send application/json")
    svc = services(request)
    meeting_id: int = request.path_params["meeting_id"]
    question_id: int = request.path_params["contribution_id"]
    if not (is_id(meeting_id) and is_id(question_id)):
        return json_error(404, "not_found", _("There is no such question."))
    # A vote needs a participant the page minted (its cookie): a request without one would
    # mint a new voter each time (50 cookieless POSTs were 50 votes).
    participant = participants.participant_of(request, svc.settings.secret_key)
    if participant is None:
        return json_error(
            403, "no_participant", _("This form has expired. Reload the page and try again.")
        )
    # And one network address casts at most so many votes on one question (scripts minting
    # cookies from one machine), generously above a council chamber's shared wi-fi.
    address = request.client.host if request.client else "unknown"
    if up and not svc.limiter(*VOTES_PER_ADDRESS).allow(f"v:{address}:{question_id}"):
        exc = RateLimited(_("You have sent a lot in a short time. Please wait a few minutes."))
        return refusal(request, exc)
    try:
        # Queued for the next group commit: a crowd's votes share transactions and events.
        question = await svc.intake.vote(meeting_id, Ballot(participant, question_id, up))
    except ActionError as exc:
        return refusal(request, exc)
    return JSONResponse(as_json(VoteAnswer(contribution=contribution_view(question), voted=up)))


def _vote_operation(summary: str, description: str) -> Operation:
    return Operation(
        tag=N_("Participation"),
        summary=summary,
        description=description,
        json_body=True,
        path={
            "contribution_id": Param(
                N_("A published question's id."), {"type": "integer", "minimum": 1}
            )
        },
        responses={
            200: Body(N_("The question after the vote."), VoteAnswer),
            403: Body(
                N_("No participant cookie (no_participant), your own question, or another site."),
                ERROR,
            ),
            404: Body(N_("No such meeting or question."), ERROR),
            409: Body(N_("Not a published question."), ERROR),
            413: TOO_LARGE,
            415: JSON_ONLY,
            429: RATE_LIMITED,
            503: UNAVAILABLE,
        },
    )


@documented(
    _vote_operation(
        N_("Vote for a question"),
        N_("One vote per participant (the page's cookie) per question: repeating is harmless."),
    )
)
async def vote_up(request: Request) -> Response:
    return await _vote(request, True)


@documented(_vote_operation(N_("Withdraw a vote"), N_("Take back the caller's vote.")))
async def vote_withdraw(request: Request) -> Response:
    return await _vote(request, False)

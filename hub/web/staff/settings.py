"""Social media settings: a council's (its hashtags, the allowlist of accounts published at
once, how long before and after a meeting posts are collected: the "Social media" section of
its settings page, hub/web/staff/council_settings.py) and a meeting's own hashtags (a form of
the agenda editor).

Each is a form that works without the script. The council's: saved, it redirects back to its
section with a note; refused (a hashtag with a hyphen, an allowlist line that is not
``platform:handle``), it shows the page again with what the clerk typed and the reason in the
section (422). The meeting's hashtags behave as the agenda editor's other forms.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub.actions import Invalid
from hub.actions._locks import Actor
from hub.actions.councils import POLICY_NUMBERS, update_policy
from hub.actions.meetings import update_meeting
from hub.events.publish import Writer, writing
from hub.i18n import gettext_ as _
from hub.models import Meeting
from hub.web import services
from hub.web.errors import refusal, wants_json
from hub.web.guards import CSRF_FORM, actor, staff_council, staff_form
from hub.web.inputs import NUMBER_MAX_DIGITS, parse_number, takes
from hub.web.staff.acting import perform
from hub.web.staff.council_settings import settings_page

# What the forms take: room for spaces, commas and '#' around 300 characters of tags; the
# allowlist as long as any policy text (hub/actions/councils.py checks both properly).
HASHTAGS_FIELD_CHARS = 1_000
ALLOWLIST_FIELD_CHARS = 20_000
WINDOW = POLICY_NUMBERS["social_window_minutes"]


def _saved(request: Request, path: str) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"{path}?saved=social#social", status_code=303)


@takes(
    form={
        **CSRF_FORM,
        "hashtags": HASHTAGS_FIELD_CHARS,
        "social_allowlist": ALLOWLIST_FIELD_CHARS,
        "social_window_minutes": NUMBER_MAX_DIGITS,
    },
)
async def save_council_settings(request: Request) -> Response:
    form = await staff_form(request)
    if isinstance(form, Response):
        return form
    checked = await staff_council(request)
    if isinstance(checked, Response):
        return checked
    staff, council = checked
    values = {
        "hashtags": form.get("hashtags", ""),
        "social_allowlist": form.get("social_allowlist", ""),
        "social_window_minutes": form.get("social_window_minutes", "").strip(),
    }
    svc = services(request)
    try:
        minutes = parse_number(values["social_window_minutes"])
        if minutes is None or not WINDOW[0] <= minutes <= WINDOW[1]:
            raise Invalid(
                _("The window is a whole number of minutes from %(least)d to %(most)d.")
                % {"least": WINDOW[0], "most": WINDOW[1]}
            )
        changes = {**values, "social_window_minutes": minutes}
        async with writing(svc.sessionmaker, svc.broker) as w:
            await update_policy(w, council.slug, changes, actor=actor(staff))
    except Invalid as exc:
        if wants_json(request):
            return refusal(request, exc)
        return settings_page(
            request,
            staff,
            council,
            section="social",
            typed=values,
            error=exc.message,
            status=exc.status,
        )
    return _saved(request, f"/staff/councils/{council.slug}/settings")


# ---- a meeting's own hashtags -------------------------------------------------------------------


@takes(form={**CSRF_FORM, "hashtags": HASHTAGS_FIELD_CHARS})
async def save_hashtags(request: Request) -> Response:
    """The meeting's own hashtags, from its section of the agenda editor (hub/templates/staff/
    agenda.html): sent in place by its script, or posted and redirected back without it."""

    async def act(w: Writer, actor: Actor, meeting: Meeting, form: dict[str, str]) -> None:
        await update_meeting(w, meeting.id, actor, hashtags=form.get("hashtags", ""))

    done = await perform(request, act)
    if isinstance(done, Response):
        return done
    if wants_json(request):
        return JSONResponse({"ok": True})
    return RedirectResponse(f"/staff/meetings/{done.meeting.id}/agenda#hashtags", status_code=303)

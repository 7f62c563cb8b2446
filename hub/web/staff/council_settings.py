"""A council's settings page, in one place: a section per subject (identity and branding,
languages and time zone, participation, social media, privacy and data retention, licence),
each its own form that works without the script, with links to the council's social and agenda
sources.

A section saved redirects back to it with a note; refused (colours too close, an unknown time
zone, a number out of range), the page comes again with what was typed and the reason in that
section (422). Each section is one action (hub/actions/councils.py, council_profile.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hub import i18n
from hub.actions import ActionError, Invalid
from hub.actions._locks import Actor
from hub.actions.council_profile import (
    HOST_MAX_CHARS,
    LOGO_URL_MAX_CHARS,
    NAME_MAX_CHARS,
    set_colours,
    set_languages,
    update_identity,
    zone_names,
)
from hub.actions.councils import (
    LANGUAGES,
    LICENCE_NAME_MAX_CHARS,
    LICENCE_URL_MAX_CHARS,
    POLICY_CHOICES,
    POLICY_NUMBERS,
    POLICY_TEXT_MAX_CHARS,
    set_licence,
    update_policy,
)
from hub.auth import StaffIdentity
from hub.events.publish import Writer, writing
from hub.i18n import gettext_ as _
from hub.models import Council
from hub.web import services
from hub.web.errors import refusal, wants_json
from hub.web.guards import CSRF_FORM, Need, staff_council, staff_council_action
from hub.web.inputs import CODE_MAX_CHARS, NUMBER_MAX_DIGITS, parse_number, read_query, takes
from hub.web.render import staff_page

COLOUR_FIELD_CHARS = 16  # "#rrggbb" and room for spaces a paste brings
ZONE_FIELD_CHARS = 64  # councils.timezone

Apply = Callable[[Writer, Council, Actor, dict[str, str]], Awaitable[object]]


@dataclass(frozen=True)
class Section:
    fields: Mapping[str, int]
    values: Callable[[Council], dict[str, str]]
    apply: Apply
    # Who may save it: the council's admins (its identity, languages, privacy notice and
    # licence), or its clerks too (how residents take part, which they moderate day to day).
    need: Need = Need.MANAGE


def number(form: Mapping[str, str], name: str, label: str) -> int:
    """A policy number from the form, in its range (else Invalid, naming the field)."""
    least, most = POLICY_NUMBERS[name]
    value = parse_number(form.get(name, "").strip())
    if value is None or not least <= value <= most:
        raise Invalid(
            _("%(field)s is a whole number from %(least)d to %(most)d.")
            % {"field": label, "least": least, "most": most}
        )
    return value


# ---- the sections -----------------------------------------------------------------------------


async def _identity(w: Writer, council: Council, actor: Actor, form: dict[str, str]) -> object:
    return await update_identity(
        w,
        council.slug,
        actor=actor,
        name=form.get("name", ""),
        logo_url=form.get("logo_url", ""),
        host_name=form.get("host_name", ""),
    )


async def _colours(w: Writer, council: Council, actor: Actor, form: dict[str, str]) -> object:
    return await set_colours(
        w,
        council.slug,
        actor=actor,
        brand=form.get("brand_colour", ""),
        on_brand=form.get("brand_text_colour", ""),
    )


async def _languages(w: Writer, council: Council, actor: Actor, form: dict[str, str]) -> object:
    return await set_languages(
        w,
        council.slug,
        actor=actor,
        timezone=form.get("timezone", ""),
        languages=[code for code in LANGUAGES if form.get(f"offer_{code}")],
        default_language=form.get("default_language", ""),
    )


async def _participation(w: Writer, council: Council, actor: Actor, form: dict[str, str]) -> object:
    changes: dict[str, object] = {
        "moderation": form.get("moderation", ""),
        "submissions_open": form.get("submissions_open", ""),
        "close_items_when_done": bool(form.get("close_items_when_done")),
        "max_chars": number(form, "max_chars", _("Most characters in a contribution")),
        "max_links": number(form, "max_links", _("Most links in a contribution")),
        "rate_per_participant": number(
            form, "rate_per_participant", _("Contributions per resident per 10 minutes")
        ),
        "rate_per_address": number(
            form, "rate_per_address", _("Contributions per network address per 10 minutes")
        ),
        "blocklist": form.get("blocklist", ""),
        "rejection_reasons": form.get("rejection_reasons", ""),
    }
    for name in ("moderation", "submissions_open"):
        if changes[name] not in POLICY_CHOICES[name]:  # the action's own message is for the CLI
            raise Invalid(_("Choose one of the options offered."))
    return await update_policy(w, council.slug, changes, actor=actor)


async def _privacy(w: Writer, council: Council, actor: Actor, form: dict[str, str]) -> object:
    changes = {
        "retention_days": number(form, "retention_days", _("Days personal data is kept")),
        "privacy_notice": form.get("privacy_notice", ""),
    }
    return await update_policy(w, council.slug, changes, actor=actor)


async def _licence(w: Writer, council: Council, actor: Actor, form: dict[str, str]) -> object:
    return await set_licence(
        w,
        council.slug,
        form.get("licence_name", ""),
        form.get("licence_url", ""),
        actor=actor,
    )


SECTIONS: dict[str, Section] = {
    "identity": Section(
        {"name": NAME_MAX_CHARS, "logo_url": LOGO_URL_MAX_CHARS, "host_name": HOST_MAX_CHARS},
        lambda c: {"name": c.name, "logo_url": c.logo_url, "host_name": c.host_name or ""},
        _identity,
    ),
    "colours": Section(
        {"brand_colour": COLOUR_FIELD_CHARS, "brand_text_colour": COLOUR_FIELD_CHARS},
        lambda c: {"brand_colour": c.brand_colour, "brand_text_colour": c.brand_text_colour},
        _colours,
    ),
    "languages": Section(
        {
            "timezone": ZONE_FIELD_CHARS,
            "default_language": CODE_MAX_CHARS,
            **{f"offer_{code}": 1 for code in LANGUAGES},
        },
        lambda c: {
            "timezone": c.timezone,
            "default_language": c.default_language,
            **{f"offer_{code}": "1" if code in c.languages.split() else "" for code in LANGUAGES},
        },
        _languages,
    ),
    "participation": Section(
        {
            "moderation": CODE_MAX_CHARS,
            "submissions_open": CODE_MAX_CHARS,
            "close_items_when_done": 1,
            "max_chars": NUMBER_MAX_DIGITS,
            "max_links": NUMBER_MAX_DIGITS,
            "rate_per_participant": NUMBER_MAX_DIGITS,
            "rate_per_address": NUMBER_MAX_DIGITS,
            "blocklist": POLICY_TEXT_MAX_CHARS,
            "rejection_reasons": POLICY_TEXT_MAX_CHARS,
        },
        lambda c: {
            "moderation": c.moderation,
            "submissions_open": c.submissions_open,
            "close_items_when_done": "1" if c.close_items_when_done else "",
            "max_chars": str(c.max_chars),
            "max_links": str(c.max_links),
            "rate_per_participant": str(c.rate_per_participant),
            "rate_per_address": str(c.rate_per_address),
            "blocklist": c.blocklist or "",
            "rejection_reasons": c.rejection_reasons or "",
        },
        _participation,
        Need.DRIVE,
    ),
    "privacy": Section(
        {"retention_days": NUMBER_MAX_DIGITS, "privacy_notice": POLICY_TEXT_MAX_CHARS},
        lambda c: {"retention_days": str(c.retention_days), "privacy_notice": c.privacy_notice},
        _privacy,
    ),
    "licence": Section(
        {"licence_name": LICENCE_NAME_MAX_CHARS, "licence_url": LICENCE_URL_MAX_CHARS},
        lambda c: {"licence_name": c.licence_name, "licence_url": c.licence_url},
        _licence,
    ),
}


# ---- the page -----------------------------------------------------------------------------------


def social_values(council: Council) -> dict[str, str]:
    return {
        "hashtags": council.hashtags or "",
        "social_allowlist": council.social_allowlist or "",
        "social_window_minutes": str(council.social_window_minutes),
    }


def settings_page(
    request: Request,
    staff: StaffIdentity,
    council: Council,
    *,
    section: str | None = None,
    typed: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The whole page: every section's values from the council, except the one just refused
    (``section``), which shows what was typed and why."""
    values: dict[str, Any] = social_values(council)
    for each in SECTIONS.values():
        values.update(each.values(council))
    if section is not None and typed is not None:
        values.update(typed)
    query = read_query(request)
    saved = None if error or isinstance(query, Response) else query.get("saved")
    response = staff_page(
        request,
        "staff/council_settings.html",
        staff,
        {
            "council": council,
            "values": values,
            "error": error,
            "error_section": section if error else None,
            "saved": saved,
            "zones": zone_names(),
            "language_names": i18n.LANGUAGES,
            "numbers": POLICY_NUMBERS,
            # A clerk sees the admins' sections without being able to save them.
            "locked": not staff.can_manage(council.id),
        },
    )
    response.status_code = status
    return response


@takes(query={"saved": CODE_MAX_CHARS})
async def council_settings(request: Request) -> Response:
    checked = await staff_council(request)
    if isinstance(checked, Response):
        return checked
    staff, council = checked
    return settings_page(request, staff, council)


def _endpoint(name: str, section: Section) -> Callable[[Request], Awaitable[Response]]:
    @takes(form={**CSRF_FORM, **section.fields})
    async def save(request: Request) -> Response:
        checked = await staff_council_action(request, section.need)
        if isinstance(checked, Response):
            return checked
        staff, council, form = checked
        typed = {field: form.get(field, "") for field in section.fields}
        svc = services(request)
        try:
            async with writing(svc.sessionmaker, svc.broker) as w:
                await section.apply(w, council, Actor(staff.user_id, staff.display_name), form)
        except ActionError as exc:
            if wants_json(request):
                return refusal(request, exc)
            return settings_page(
                request,
                staff,
                council,
                section=name,
                typed=typed,
                error=exc.message,
                status=exc.status,
            )
        if wants_json(request):
            return JSONResponse({"ok": True})
        path = f"/staff/councils/{council.slug}/settings"
        return RedirectResponse(f"{path}?saved={name}#{name}", status_code=303)

    save.__name__ = f"save_{name}"
    return save


SAVE = {name: _endpoint(name, section) for name, section in SECTIONS.items()}

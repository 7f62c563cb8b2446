"""Every route of the hub, in one table: the app mounts it, docs/api.md and the
authorisation tests are checked against it, so a new route cannot go unnoticed."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from hub.web import health, live
from hub.web.public import (
    api,
    apidocs,
    council_home,
    exports,
    pages,
    participation,
    privacy,
    projector,
)
from hub.web.staff import (
    accounts,
    admin,
    agenda,
    console,
    council_audit,
    council_settings,
    councils,
    invites,
    members,
    moderation,
    review,
    search,
    settings,
    signin,
    social,
)
from hub.web.staff import exports as staff_exports

MEETING = "/meetings/{meeting_id:id}"
API_MEETING = "/api/meetings/{meeting_id:id}"
STAFF_MEETING = "/staff/meetings/{meeting_id:id}"
CONTRIBUTION = "/contributions/{contribution_id:id}"
COUNCIL_SOCIAL = "/staff/councils/{slug}/social"
STAFF_ITEM = "/staff/meetings/{meeting_id:id}/items/{item_id:id}"
STAFF_COUNCIL = "/staff/councils/{slug}"
STAFF_MEMBERS = "/staff/councils/{slug}/staff"

PUBLIC: list[BaseRoute] = [
    Route("/", pages.index, name="index"),
    Route(MEETING, pages.meeting_page, name="meeting"),
    Route(f"{MEETING}/contribute", participation.contribute_form, methods=["POST"]),
    Route(f"{MEETING}/projector", projector.projector, methods=["GET"]),
    Route("/api/meetings", api.api_meetings, name="api_meetings"),
    Route("/api/meetings.atom", exports.new_meetings_feed, methods=["GET"]),
    Route(API_MEETING, api.api_meeting, name="api_meeting"),
    Route(f"{API_MEETING}/events", api.api_events, name="api_events"),
    Route(f"{API_MEETING}/moderation-summary", api.summary, methods=["GET"]),
    Route(f"{API_MEETING}/export.json", exports.record_json, methods=["GET"]),
    Route(f"{API_MEETING}/contributions.csv", exports.contributions_csv_export, methods=["GET"]),
    Route(f"{API_MEETING}/ocd-event.json", exports.ocd_event_export, methods=["GET"]),
    Route("/api/councils/{slug}/meetings.ics", exports.council_calendar, methods=["GET"]),
    Route("/api/openapi.json", apidocs.openapi_json, methods=["GET"]),
    Route("/api/docs", apidocs.api_docs, methods=["GET"]),
    Route(f"{API_MEETING}/contributions", participation.create_contribution, methods=["POST"]),
    Route(f"{API_MEETING}/contributions/mine", participation.my_contributions, methods=["GET"]),
    Route(f"{API_MEETING}{CONTRIBUTION}/vote", participation.vote_up, methods=["POST"]),
    Route(f"{API_MEETING}{CONTRIBUTION}/vote", participation.vote_withdraw, methods=["DELETE"]),
    WebSocketRoute(f"{API_MEETING}/live", live.public_live),
    Route("/c/{slug}/privacy", privacy.privacy_notice, methods=["GET"]),
    # A council's home page and its colours (hub/web/public/council_home.py).
    Route("/c/{slug}", council_home.council_home, methods=["GET"]),
    Route("/c/{slug}/theme.css", council_home.council_theme, methods=["GET"]),
    Route("/healthz", health.health),
]

STAFF: list[BaseRoute] = [
    Route("/staff/login", signin.login_page, methods=["GET"]),
    Route("/staff/login", signin.login_submit, methods=["POST"]),
    Route("/staff/logout", signin.logout, methods=["POST"]),
    Route("/staff/logout/everywhere", signin.logout_everywhere, methods=["POST"]),
    Route("/staff/", console.dashboard, methods=["GET"]),
    Route("/staff/search", search.search_page, methods=["GET"]),
    Route(STAFF_MEETING, console.console, methods=["GET"]),
    Route(f"{STAFF_MEETING}/status", console.meeting_action, methods=["POST"]),
    Route(f"{STAFF_MEETING}/items/{{item_id:id}}/status", console.item_action, methods=["POST"]),
    Route("/staff/api/meetings/{meeting_id:id}", console.staff_snapshot, methods=["GET"]),
    WebSocketRoute("/staff/api/meetings/{meeting_id:id}/live", live.staff_live),
    Route(f"{STAFF_MEETING}/moderation", moderation.queue_page, methods=["GET"]),
    Route("/staff/api/meetings/{meeting_id:id}/moderation", moderation.queue_state),
    Route(f"{STAFF_MEETING}{CONTRIBUTION}/moderate", moderation.act, methods=["POST"]),
    Route(f"{STAFF_MEETING}/contributions/bulk", moderation.act_bulk, methods=["POST"]),
    Route(f"{STAFF_MEETING}/audit", review.audit, methods=["GET"]),
    Route(f"{STAFF_MEETING}/review", review.review, methods=["GET"]),
    Route(f"{STAFF_MEETING}/review/items/{{item_id:id}}", review.review_item, methods=["GET"]),
    Route(f"{STAFF_MEETING}/briefing", review.briefing, methods=["GET"]),
    Route(f"{STAFF_MEETING}/export/areas.csv", staff_exports.areas_export, methods=["GET"]),
    Route(
        f"{STAFF_MEETING}/export/moderation-log.csv",
        staff_exports.moderation_log_export,
        methods=["GET"],
    ),
    Route(COUNCIL_SOCIAL, social.sources_page, methods=["GET"]),
    Route(COUNCIL_SOCIAL, social.add, methods=["POST"]),
    Route(f"{COUNCIL_SOCIAL}/{{source_id:id}}/credentials", social.credentials, methods=["POST"]),
    Route(f"{COUNCIL_SOCIAL}/{{source_id:id}}/remove", social.remove, methods=["POST"]),
    # The agenda editor (hub/web/staff/agenda.py).
    Route(f"{STAFF_MEETING}/agenda", agenda.editor, methods=["GET"]),
    Route(f"{STAFF_MEETING}/details", agenda.details, methods=["POST"]),
    Route(f"{STAFF_MEETING}/window", agenda.window, methods=["POST"]),
    Route(f"{STAFF_MEETING}/items", agenda.add, methods=["POST"]),
    Route(f"{STAFF_ITEM}/edit", agenda.edit, methods=["POST"]),
    Route(f"{STAFF_ITEM}/move", agenda.move, methods=["POST"]),
    Route(f"{STAFF_ITEM}/private", agenda.privacy, methods=["POST"]),
    Route(f"{STAFF_ITEM}/withdraw", agenda.withdraw, methods=["POST"]),
    # A council's agenda sources and new meetings (hub/web/staff/councils.py).
    Route(f"{STAFF_COUNCIL}/sources", councils.sources_page, methods=["GET"]),
    Route(f"{STAFF_COUNCIL}/sources", councils.source_add, methods=["POST"]),
    Route(
        f"{STAFF_COUNCIL}/sources/{{agenda_source_id:id}}/remove",
        councils.source_remove,
        methods=["POST"],
    ),
    Route(f"{STAFF_COUNCIL}/meetings/new", councils.new_meeting_page, methods=["GET"]),
    Route(f"{STAFF_COUNCIL}/meetings", councils.new_meeting, methods=["POST"]),
    # A meeting's own hashtags (in the agenda editor) and a council's social media settings
    # (hub/web/staff/settings.py).
    Route(f"{STAFF_MEETING}/hashtags", settings.save_hashtags, methods=["POST"]),
    Route(f"{STAFF_COUNCIL}/settings", council_settings.council_settings, methods=["GET"]),
    Route(f"{STAFF_COUNCIL}/settings", settings.save_council_settings, methods=["POST"]),
    # A council's staff and audit log, for its admins (hub/web/staff/members.py,
    # council_audit.py); every account, for deployment admins (accounts.py); accepting an
    # invitation, for whoever holds its link (invites.py).
    Route(STAFF_MEMBERS, members.staff_list, methods=["GET"]),
    Route(f"{STAFF_MEMBERS}/invites", members.invite, methods=["POST"]),
    Route(f"{STAFF_MEMBERS}/invites/{{invite_id:id}}/revoke", members.revoke, methods=["POST"]),
    Route(f"{STAFF_MEMBERS}/{{user_id:id}}/role", members.change_role, methods=["POST"]),
    Route(f"{STAFF_MEMBERS}/{{user_id:id}}/remove", members.remove, methods=["POST"]),
    Route(
        f"{STAFF_MEMBERS}/{{user_id:id}}/deactivate", members.deactivate_member, methods=["POST"]
    ),
    Route(f"{STAFF_COUNCIL}/audit", council_audit.audit_log, methods=["GET"]),
    Route("/staff/users", accounts.users_page, methods=["GET"]),
    Route("/staff/users/{user_id:id}/deactivate", accounts.deactivate_user, methods=["POST"]),
    Route("/staff/users/{user_id:id}/reactivate", accounts.reactivate_user, methods=["POST"]),
    Route("/staff/invites/{token}", invites.invite_page, methods=["GET"], name="invite"),
    Route("/staff/invites/{token}", invites.accept, methods=["POST"]),
    # The other sections of a council's settings page (hub/web/staff/council_settings.py).
    *(
        Route(f"{STAFF_COUNCIL}/settings/{name}", save, methods=["POST"])
        for name, save in council_settings.SAVE.items()
    ),
    # The admin area (hub/web/staff/admin.py).
    Route("/staff/admin", admin.admin_home, methods=["GET"]),
    Route("/staff/admin/councils", admin.create, methods=["POST"]),
    Route("/staff/councils", admin.my_councils, methods=["GET"]),
]

ROUTES: list[BaseRoute] = [*PUBLIC, *STAFF]

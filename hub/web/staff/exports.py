"""Staff-only exports: what the public ones leave out. Residents' wards and districts in
totals by what became of their submissions, and the moderation log, as CSV.

Both are for the meeting's council's staff (``Need.REVIEW``: its clerks and councillors, and
admins): a councillor gets the log without the participants' pseudonyms, as on the audit page
(only those who moderate see who wrote what, to spot a repeat poster). Never cached by anyone
(the security middleware sends ``no-store`` on every staff answer).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.queries.exports import area_totals_by_status
from hub.queries.moderation import moderation_log
from hub.shapes.tables import areas_csv, moderation_log_csv
from hub.web import services
from hub.web.guards import Need, staff_meeting

# The whole log, oldest first: a meeting's log is hundreds or thousands of actions.
LOG_MAX_ROWS = 100_000
CSV = "text/csv; header=present"


def _attachment(body: str, name: str) -> Response:
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=CSV, headers=headers)


async def areas_export(request: Request) -> Response:
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    _staff, meeting = checked
    async with services(request).sessionmaker() as session:
        totals = await area_totals_by_status(session, meeting.id)
    return _attachment(areas_csv(totals), f"meeting-{meeting.id}-areas.csv")


async def moderation_log_export(request: Request) -> Response:
    checked = await staff_meeting(request, Need.REVIEW)
    if isinstance(checked, Response):
        return checked
    staff, meeting = checked
    async with services(request).sessionmaker() as session:
        entries = await moderation_log(session, meeting.id, limit=LOG_MAX_ROWS)
    body = moderation_log_csv(entries[::-1], participant=staff.can_drive(meeting.council_id))
    return _attachment(body, f"meeting-{meeting.id}-moderation-log.csv")

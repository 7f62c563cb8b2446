"""Nothing private on any public surface: every public route in the route table (pages, the
JSON API, the open-data exports and feeds, the privacy notice), the event log over HTTP and a
public socket's replay, for a meeting holding a pending, a rejected, a taken-down and an erased
submission, wards, and names given only with unpublished ones. A new public GET route is swept
automatically."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from itsdangerous import URLSafeSerializer
from starlette.routing import Route

from hub.actions.privacy import erase_participant
from hub.events.publish import writing
from hub.shapes.staff import pseudonym
from hub.web.participants import COOKIE
from hub.web.routes import PUBLIC
from tests.support import (
    RunningServer,
    Seeded,
    contribute,
    recv_json,
    resident,
    sign_in,
    ws_connect,
)

PENDING = "Pending text that nobody has checked"
REJECTED = "Rejected text, abusive"
TAKEN_DOWN = "Taken down: Jo's address is 12 Hill St"
WARD = "Penrhos ward"
POSTCODE = "LL77 7XX"
NAME = "Name given only with unpublished text"
ERASED = "Published, then erased by its author"
ERASED_NAME = "Erased Name"


async def test_no_private_data_on_any_public_surface(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    clerk = await sign_in(server.base_url, seeded.users["clerk"])
    author = resident(server.base_url)
    await author.get(f"/meetings/{mid}")
    signed = author.cookies[COOKIE]
    participant = URLSafeSerializer(
        server.app.state.settings.secret_key, salt="council-hub.participant"
    ).loads(signed)

    async def sent(body: str, **fields: str) -> int:
        r = await contribute(author, mid, body, **fields)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    await sent(PENDING, display_name=NAME, area=WARD)
    rejected = await sent(REJECTED, display_name=NAME, area=POSTCODE)
    taken = await sent(TAKEN_DOWN, area=WARD)
    base = f"/staff/meetings/{mid}/contributions"
    for cid, form in (
        (rejected, {"action": "reject", "reason": "abusive"}),
        (taken, {"action": "approve"}),
        (taken, {"action": "hide", "reason": "personal"}),
    ):
        r = await clerk.post(f"{base}/{cid}/moderate", form)
        assert r.status_code == 200, r.text
    # Published, then erased at its author's request.
    async with resident(server.base_url) as eraser:
        await eraser.get(f"/meetings/{mid}")
        r = await contribute(eraser, mid, ERASED, display_name=ERASED_NAME, area=WARD)
        assert r.status_code == 201, r.text
        erased_by = URLSafeSerializer(
            server.app.state.settings.secret_key, salt="council-hub.participant"
        ).loads(eraser.cookies[COOKIE])
    r = await clerk.post(f"{base}/{r.json()['id']}/moderate", {"action": "approve"})
    assert r.status_code == 200, r.text
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        await erase_participant(w, erased_by, datetime.now(UTC))
    await clerk.http.aclose()

    private = [PENDING, REJECTED, TAKEN_DOWN, ERASED, ERASED_NAME, WARD, POSTCODE, NAME]
    private += [participant, signed, erased_by, pseudonym(participant), pseudonym(erased_by)]
    surfaces: dict[str, str] = {}
    async with resident(server.base_url) as visitor:
        for route in PUBLIC:
            if not isinstance(route, Route) or "GET" not in (route.methods or set()):
                continue
            path = (
                route.path.replace("{meeting_id:id}", str(mid))
                .replace("{slug}", "aberglas")
                .replace("{contribution_id:id}", str(taken))
            )
            for query in ("", "?after=0", "?lang=cy"):
                r = await visitor.get(path + query)
                assert r.status_code < 500, (path, r.status_code)
                surfaces[f"GET {path}{query}"] = r.text
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=0") as ws:
        frames = []
        try:
            while True:
                frames.append(json.dumps(await recv_json(ws, timeout=0.5)))
        except (TimeoutError, AssertionError):
            pass
    surfaces["WS replay after=0"] = "\n".join(frames)
    assert len(surfaces) > 20
    leaks = [(where, p) for where, text in surfaces.items() for p in private if p in text]
    assert leaks == [], leaks
    await author.aclose()

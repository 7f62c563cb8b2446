"""The public API's description (/api/openapi.json): every public /api/ route is in it, its
response schemas are the shapes' dataclasses, and Schemathesis, run against it over real HTTP
on SQLite and PostgreSQL, finds no server error and no answer that breaks it.

Schemathesis generates requests from the description (valid ones, and invalid ones for its
negative checks) for every operation, sends them to the hub under uvicorn, and checks each
answer: never a 5xx, a documented status, the documented content type and headers, a body
that validates against the documented schema. Bounded: ``SCHEMATHESIS_EXAMPLES`` per
operation (default 12), derandomized so CI runs the same requests every time.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from starlette.routing import Route

from hub.actions.agenda import ItemSpec
from hub.actions.meetings import create_meeting
from hub.app import create_app
from hub.db import create_engine, create_sessionmaker
from hub.events.publish import Writer
from hub.shapes.opendata import MeetingRecord
from hub.shapes.public import ContributionView, MeetingsPage, Snapshot
from hub.web import openapi
from hub.web.public.apidocs import _version
from hub.web.routes import ROUTES
from tests.conftest import _sqlite_copy, _truncate, seed_url, settings_for
from tests.services import run_sync
from tests.support import Seeded, contribute, free_port, resident, sign_in

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


# ---- the description against the route table -------------------------------------------------


def test_every_public_api_route_is_described() -> None:
    assert openapi.undocumented(ROUTES) == []
    desc = openapi.describe(ROUTES, "test")
    described = {(m.upper(), p) for p, ops in desc["paths"].items() for m in ops}
    expected = {(m, p) for m, p, _route in openapi.endpoints(ROUTES)}
    assert described == expected
    assert len(expected) >= 15
    assert "/api/meetings/{meeting_id}/live" in desc["x-websockets"]


async def _new_route(request: Any) -> Any:  # a route nobody documented
    raise AssertionError("never called")


def test_a_new_undocumented_route_is_caught() -> None:
    """The check above is not vacuous: an /api/ route without ``@documented`` is listed, and a
    query parameter a route reads but does not document stops the build."""
    new = Route("/api/meetings/{meeting_id:id}/new", _new_route)
    assert openapi.undocumented([*ROUTES, new]) == ["GET /api/meetings/{meeting_id:id}/new"]
    assert openapi.undocumented([Route("/staff/api/x", _new_route)]) == []  # staff: not public

    from hub.web.inputs import takes

    documented = openapi.documented(
        openapi.Operation(tag="Meetings", summary="s", description="d", responses={})
    )
    reads_more = Route("/api/x", documented(takes(query={"secret": 10})(_new_route)))
    with pytest.raises(LookupError, match="secret"):
        openapi.describe([reads_more], "test")


def test_response_schemas_are_the_shapes() -> None:
    """Each response schema is generated from the dataclass the route builds its answer with:
    its fields, all required, nothing else."""
    components = openapi.describe(ROUTES, "test")["components"]["schemas"]
    for shape in (Snapshot, MeetingsPage, ContributionView, MeetingRecord):
        schema = components[shape.__name__]
        names = [f.name for f in dataclasses.fields(shape)]
        assert list(schema["properties"]) == names, shape
        assert schema["required"] == names
        assert schema["additionalProperties"] is False
    assert components["Snapshot"]["properties"]["items"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/ItemView"},
    }
    assert components["ContributionView"]["properties"]["display_name"] == {
        "type": ["string", "null"]
    }
    for name, schema in components.items():
        Draft202012Validator.check_schema(schema), name


# ---- Schemathesis over real HTTP ---------------------------------------------------------------


@dataclass
class Api:
    base_url: str
    seeded: Seeded
    future_meeting: int


class ThreadedServer:
    """The hub under uvicorn in a thread of its own (Schemathesis' tests are synchronous)."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            create_app(settings_for(database_url)),
            host="127.0.0.1",
            port=self.port,
            ws="hub.live.uvicorn_seam:FastSendProtocol",
            lifespan="on",
            log_level="warning",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


async def _stage(url: str, base_url: str) -> Api:
    """The seeded councils and meetings, a meeting to come (for the calendar), and published
    comments and questions with a vote, so that answers have something in them."""
    seeded = await seed_url(url)
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            future = await create_meeting(
                Writer(session),
                council_slug="aberglas",
                title="Budget",
                body_name="Full Council",
                starts_at=datetime.now(UTC) + timedelta(days=14),
                items=[ItemSpec("1", "Budget 2027")],
            )
            await session.commit()
    finally:
        await engine.dispose()
    clerk = await sign_in(base_url, seeded.users["clerk"])
    async with resident(base_url) as someone:
        await someone.get(f"/meetings/{seeded.meeting_id}")
        for body, kind in (("=1+1 Open on Sundays", "comment"), ("When?", "question")):
            r = await contribute(someone, seeded.meeting_id, body, kind, display_name="Sam")
            assert r.status_code == 201, r.text
            moderate = f"/staff/meetings/{seeded.meeting_id}/contributions/{r.json()['id']}"
            assert (await clerk.post(f"{moderate}/moderate", {"action": "approve"})).is_success
    await clerk.http.aclose()
    return Api(base_url, seeded, future.id)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        url = _sqlite_copy(template, tmp_path_factory.mktemp("schemathesis"))
    else:
        url = request.getfixturevalue("postgres_database")
        run_sync(lambda: _truncate(url))
    with ThreadedServer(url) as base_url:
        yield run_sync(lambda: _stage(url, base_url))


# The description as the app serves it (test_the_served_description_is_this_one): loaded at
# import, as Schemathesis' pytest plugin wants, and sent to a real server below.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
        "operations": [
            {
                # Valid by the schema is not always acceptable: the council's own limit on a
                # submission's length (the schema allows the most any council does), an
                # item_id naming no item of this meeting, a comment without a position.
                "include-path": "/api/meetings/{meeting_id}/contributions",
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                    }
                },
            }
        ],
    }
)
schema = schemathesis.openapi.from_dict(openapi.describe(ROUTES, _version()), config=CONFIG)


def test_the_served_description_is_this_one(api: Api) -> None:
    served = httpx.get(f"{api.base_url}/api/openapi.json").json()
    assert served == openapi.describe(ROUTES, _version())


def _aim(case: Any, api: Api) -> None:
    """Most generated ids name nothing: point three in four at the staged rows, so the
    answers with bodies are checked as often as the refusals."""
    params = case.path_parameters or {}
    meeting = params.get("meeting_id")
    if isinstance(meeting, int) and meeting % 4:
        params["meeting_id"] = api.seeded.meeting_id
    slug = params.get("slug")
    if isinstance(slug, str) and len(slug) % 4:
        params["slug"] = "aberglas"


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_its_description(case: Any, api: Api) -> None:
    _aim(case, api)
    case.call_and_validate(base_url=api.base_url, timeout=10)


def test_the_staged_rows_are_reachable(api: Api) -> None:
    """What the cases are aimed at exists (else every case would be a 404)."""
    with httpx.Client(base_url=api.base_url) as http:
        record = http.get(f"/api/meetings/{api.seeded.meeting_id}/export.json").json()
        assert len(record["contributions"]) == 2
        calendar = http.get("/api/councils/aberglas/meetings.ics").text
        assert f"meeting-{api.future_meeting}@" in calendar

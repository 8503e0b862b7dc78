"""Schemathesis sends requests generated from the OpenAPI description (shared/web/openapi.yaml) to the
app in-process (WSGI) and checks every answer against it: no server error, only documented status
codes and content types, bodies and headers as described. The staff operations are sent with a
valid device token, so they reach the workflow rather than stopping at 401."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.env import ROOT
from tests.support.fakes import fast_hash

FUZZ = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


@pytest.fixture
def office(tmp_path, clock, printer):
    """An app with demo staff, a device token for the clerk at loket 2, and a few tickets in
    several states, so generated ids often name a real ticket."""
    from antrean.shared.app import create_app
    from antrean.shared.services.demo import create_demo
    from antrean.shared.services.tokens import create_token

    app = create_app(
        {"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "SECRET_KEY": "test",
         "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
         "LOGIN_LIMIT": "100000 per minute",  # the checks send wrong credentials on purpose
         "ISSUE_LIMIT": "100000 per minute"},  # ... and take many tickets from one address
        clock=clock, printer=printer, start_workers=False,
    )
    sessions = app.extensions["antrean"].sessions
    create_demo(sessions, hasher=fast_hash)
    app.config["ANTREAN_TEST_TOKEN"] = create_token(sessions, "loket-2-button", "api", "pelayanan2")
    client = app.test_client()
    for service in ("ahli_waris", "ktp", "ahli_waris", "oss", "ektp", "ahli_waris"):
        client.post("/api/v1/tickets", json={"service": service})
    bearer = {"Authorization": f"Bearer {app.config['ANTREAN_TEST_TOKEN']}"}
    client.post("/api/v1/staff/call-next", json={"loket": 2}, headers=bearer)  # ticket 1 called
    client.post("/api/v1/staff/call-next", json={"loket": 2, "force": True}, headers=bearer)  # ticket 3 called ...
    client.post("/api/v1/staff/tickets/3/steps/2", headers=bearer,  # ... and received
                json={"applicant": {"name": "Sri Wahyuni", "nik": "3503124507540001"}})
    yield app
    app.extensions["antrean.engine"].dispose()


# Loaded from the file, which GET /api/v1/openapi.json serves unchanged (tests/web/test_openapi.py); each
# test sends its requests to its own app. (schemathesis.pytest.from_fixture would load it from the app
# fixture, but fails on pytest 9.2, which no longer has Node._nodeid.)
schema = schemathesis.openapi.from_path(ROOT / "shared" / "web" / "openapi.yaml")
schema.config.update(base_url="http://localhost")  # the WSGI transport takes the path from here
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
               response_schema_conformance]


def send(case, app, headers=None):
    """Send the case to ``app`` (WSGI) and run every check; the checks that send requests of their
    own (a wrong method, no or wrong credentials) reach the same app."""
    case.operation.schema.app = case.operation.app = app
    # Every other check runs, negative_data_rejection among them: what the description calls invalid
    # must be refused. Not the reverse: whether a well-formed value is accepted depends on the office's
    # data (a print agent's name, a service code, the ticket's state), which a schema cannot say.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])


@schema.include(tag="public").parametrize()
@FUZZ
def test_the_public_api_answers_as_described(case, office):
    send(case, office)


@schema.include(tag="staff").parametrize()
@FUZZ
def test_the_staff_api_answers_a_call_button_as_described(case, office):
    send(case, office, {"Authorization": f"Bearer {office.config['ANTREAN_TEST_TOKEN']}"})


def test_the_answers_generated_requests_rarely_reach_are_described_too(app, app_staff, clock, monkeypatch):
    """A closed service (409), too many failed logins (429), a cross-site POST (403), a database
    that cannot answer (503): each answer is checked against the description like the fuzzed ones."""
    import base64

    from sqlalchemy.exc import OperationalError

    from antrean.shared.services.desk import Desk

    def check(method, path, expect, **kw):
        case = schema[path][method].Case(**kw)
        case.operation.schema.app = case.operation.app = app
        resp = case.call()
        assert resp.status_code == expect, resp.text
        case.validate_response(resp, checks=[c for c in CONFORMANCE if expect < 500 or c is not not_a_server_error])
        return resp.json()

    app.extensions["antrean"].always_open = False
    clock.advance(hours=14)  # 22:00 office time
    assert check("POST", "/api/v1/tickets", 409, body={"service": "ktp"})["code"] == "outside_hours"
    wrong = {"Authorization": "Basic " + base64.b64encode(b"kasi:salah").decode()}
    for _ in range(5):
        check("GET", "/api/v1/staff/me", 401, headers=wrong)
    assert check("GET", "/api/v1/staff/me", 429, headers=wrong)["code"] == "too_many_requests"
    assert check("POST", "/api/v1/staff/call-next", 403, headers={"Origin": "http://elsewhere.example"},
                 body={})["code"] == "cross_site"

    def locked(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(Desk, "get_ticket", locked)
    assert check("GET", "/api/v1/tickets/{ticket_id}", 503, path_parameters={"ticket_id": "1"})["retry_after"] == 2

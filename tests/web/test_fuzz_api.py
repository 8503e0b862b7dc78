"""Hostile input to the public API (/api/v1/...), the staff API and the citizens' pages, generated
by hypothesis: never a server error, never an unhandled exception (the test app propagates them),
and an API error is always JSON with an error text and a code. docs/api.md describes the API."""
from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fuzz import json_values

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SERVICES = ["ktp", "ahli_waris", "ektp", "oss", "pengaduan", "kia"]
ticket_bodies = st.fixed_dictionaries({}, optional={
    "service": st.sampled_from(SERVICES) | json_values,
    "priority": st.booleans() | json_values,
    "priority_reason": st.sampled_from(["lansia", "disabilitas", "hamil"]) | json_values,
    "lang": st.sampled_from(["id", "en"]) | json_values,
    "request_id": st.text(alphabet="abcdef0123456789-_", min_size=8, max_size=64) | json_values,
    "printer": json_values,
})
path_text = st.text(min_size=1, max_size=60).map(lambda t: quote(t, safe=""))
raw_bodies = st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))


def no_server_error(resp, api: bool = True) -> None:
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    if api and resp.status_code >= 400:
        body = resp.get_json(silent=True)
        assert isinstance(body, dict) and body.get("error") and body.get("code"), resp.get_data(as_text=True)[:300]
    resp.close()


@FUZZ
@given(body=ticket_bodies | json_values)
def test_issuing_a_ticket_with_any_json(client, body):
    resp = client.post("/api/v1/tickets", data=json.dumps(body), content_type="application/json")
    no_server_error(resp)
    if resp.status_code in (200, 201):
        assert resp.get_json()["number"]


@FUZZ
@given(body=raw_bodies, content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                                      "multipart/form-data", "application/json; charset=latin-1", ""]))
def test_issuing_a_ticket_with_any_bytes(client, body, content_type):
    no_server_error(client.post("/api/v1/tickets", data=body, content_type=content_type or None))


@FUZZ
@given(ident=path_text, lang=st.text(max_size=20))
def test_reading_tickets_and_services_with_any_address(client, ident, lang):
    for url in (f"/api/v1/tickets/{ident}", f"/api/v1/tickets/{ident}/print",
                f"/api/v1/services?lang={quote(lang)}", f"/api/v1/{ident}"):
        no_server_error(client.get(url))
    for url in (f"/kiosk/t/{ident}", f"/kiosk/qr/{ident}.svg", f"/kiosk/preview/{ident}.png",
                f"/kiosk/?idle={quote(lang)}&result={ident}&lang={quote(lang)}", f"/kiosk/survei/{ident}",
                f"/display/audio/{ident}.wav", f"/vendor/{ident}"):
        no_server_error(client.get(url), api=False)


@pytest.fixture
def basic(app_staff):
    def header(user: str = "pelayanan2", password: str | None = None) -> dict:
        raw = f"{user}:{app_staff[user] if password is None else password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    return header


STAFF_POSTS = ["/api/v1/staff/call-next", "/api/v1/staff/tickets/{id}/call", "/api/v1/staff/tickets/{id}/recall",
               "/api/v1/staff/tickets/{id}/arrive", "/api/v1/staff/tickets/{id}/no-show",
               "/api/v1/staff/tickets/{id}/transfer", "/api/v1/staff/tickets/{id}/steps/{step}"]
staff_bodies = st.fixed_dictionaries({}, optional={
    "loket": st.sampled_from([1, 2, "2"]) | json_values, "kind": st.sampled_from(["recall", "pickup"]) | json_values,
    "service": st.sampled_from(SERVICES) | json_values, "decision": st.sampled_from(["MS", "TMS"]) | json_values,
    "missing": st.lists(st.text(max_size=30), max_size=3) | json_values, "note": json_values,
    "applicant": st.fixed_dictionaries({}, optional={k: json_values | st.text(max_size=20)
                                                     for k in ("name", "nik", "address", "phone")}) | json_values,
}) | json_values


@FUZZ
@given(path=st.sampled_from(STAFF_POSTS), body=staff_bodies, ticket=st.integers(0, 4), step=st.integers(0, 12),
       user=st.sampled_from(["pelayanan2", "kasi", "register", "camat", "admin"]))
def test_the_staff_api_with_any_body(client, basic, path, body, ticket, step, user):
    if ticket == 4:
        client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    url = path.format(id=ticket, step=step)
    no_server_error(client.post(url, data=json.dumps(body), content_type="application/json", headers=basic(user)))
    no_server_error(client.get(f"/api/v1/staff/tickets?q={quote(str(body)[:40])}", headers=basic(user)))


@FUZZ
@given(header=st.text(max_size=80), raw=st.binary(max_size=60))
def test_the_staff_api_with_any_authorization(client, app_staff, header, raw):
    for value in (header, "Basic " + base64.b64encode(raw).decode(), "Bearer " + header,
                  "Basic " + header):
        try:
            headers = {"Authorization": value}
            resp = client.get("/api/v1/staff/me", headers=headers)
        except ValueError:  # a header the HTTP client itself refuses to send (a newline)
            continue
        assert resp.status_code in (401, 429), resp.status_code
        no_server_error(resp)


@FUZZ
@given(form=st.dictionaries(st.sampled_from(["number", "code", "comment", "u1", "u2", "u5", "u9", "csrf_token"]),
                            st.text(max_size=40), max_size=8))
def test_the_survey_pages_with_any_form(client, form):
    ticket = client.post("/api/v1/tickets", json={"service": "ktp"}).get_json()
    no_server_error(client.post("/kiosk/survei/", data=form), api=False)
    no_server_error(client.post(f"/kiosk/survei/{ticket['public_id']}", data=form), api=False)

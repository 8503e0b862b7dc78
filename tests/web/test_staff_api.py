"""The staff API: the same roles and rules as the screens, authenticated per request."""
import base64
from datetime import UTC

import pytest

from antrean.shared.services.tokens import create_token
from tests.support.factories import pickup_code_of

APPLICANT = {"name": "Sri Wahyuni", "nik": "3503124507540001"}


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def as_user(client, app_staff):
    def headers(username):
        return basic(username, app_staff[username])
    return headers


def test_anonymous_and_wrong_credentials_are_refused(client, as_user, app_staff):
    assert client.post("/api/v1/staff/call-next").status_code == 401
    assert client.post("/api/v1/staff/call-next", headers=basic("kasi", "salah")).status_code == 401
    assert client.get("/api/v1/staff/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/staff/me", headers={"Authorization": "Basic %%%"}).status_code == 401
    me = client.get("/api/v1/staff/me", headers=as_user("kasi")).get_json()
    assert me["username"] == "kasi" and me["roles"] == ["kasi_pelayanan"]


def test_a_session_cookie_is_not_enough(client, login):
    login("pelayanan1")
    assert client.post("/api/v1/staff/call-next", json={}).status_code == 401


def test_family_b_through_the_api(client, as_user):
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    called = client.post("/api/v1/staff/call-next", headers=as_user("pelayanan2"), json={}).get_json()["ticket"]
    assert called["number"] == "B001" and called["status"] == "called"
    steps = [(2, "pelayanan2", {"applicant": APPLICANT}), (3, "kasi", {"decision": "MS"}), (4, "register", {}),
             (5, "sekcam", {}), (6, "camat", {}), (7, "pelayanan2", {"pickup_code": pickup_code_of(client.application, t["id"])})]
    for number, user, data in steps:
        resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/{number}", headers=as_user(user), json=data)
        assert resp.status_code == 200, resp.get_json()
    view = resp.get_json()["ticket"]
    assert view["status"] == "done" and view["agenda_number"].startswith("474/001/")
    assert view["applicant_nik"] == "3503********0001"


def test_the_api_enforces_roles_and_steps(client, as_user):
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    client.post("/api/v1/staff/call-next", headers=as_user("pelayanan2"), json={})
    resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/2", headers=as_user("camat"), json={"applicant": APPLICANT})
    assert resp.status_code == 409 and resp.get_json()["code"] == "wrong_role"
    resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/3", headers=as_user("kasi"), json={"decision": "MS"})
    assert resp.status_code == 409 and resp.get_json()["code"] == "wrong_step"
    resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/2", headers=as_user("pelayanan2"),
                       json={"applicant": {"name": "X", "nik": "1"}})
    assert resp.status_code == 400 and "NIK harus 16 angka" in resp.get_json()["error"]
    for bad in ("[1]", "not json"):
        resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/2", headers={**as_user("pelayanan2"),
                           "Content-Type": "application/json"}, data=bad)
        assert resp.status_code == 400
    resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/2", headers=as_user("pelayanan2"),
                       json={"applicant": APPLICANT, "missing": "KTP"})
    assert resp.status_code == 400
    assert client.get("/api/v1/staff/tickets/999", headers=as_user("kasi")).status_code == 404


def test_a_call_button_with_a_device_token(app, client, as_user):
    token = create_token(app.extensions["antrean"].sessions, "loket-1-button", "api", "pelayanan1")
    client.post("/api/v1/tickets", json={"service": "ktp"})
    bearer = {"Authorization": f"Bearer {token}"}
    first = client.post("/api/v1/staff/call-next", headers=bearer, json={"loket": 1}).get_json()["ticket"]
    assert first["number"] == "A001" and first["loket"] == "Loket 1"
    again = client.post(f"/api/v1/staff/tickets/{first['id']}/recall", headers=bearer, json={}).get_json()
    assert again["call"]["kind"] == "recall"
    assert client.post("/api/v1/staff/call-next", headers=bearer, json={}).get_json() == {
        "ticket": None, "message": "nobody is waiting"}
    with pytest.raises(ValueError):
        create_token(app.extensions["antrean"].sessions, "loket-1-button", "api", "pelayanan1")


def test_a_device_token_is_seen_to_the_minute_and_not_written_on_every_request(app, client, app_staff, monkeypatch):
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from antrean.shared.store.models import DeviceToken

    sessions = app.extensions["antrean"].sessions
    token = create_token(sessions, "loket-1-button", "api", "pelayanan1")
    clock = [datetime(2026, 11, 24, 1, 0, tzinfo=UTC)]
    monkeypatch.setattr("antrean.shared.services.tokens.utcnow", lambda: clock[0])

    def seen_after_a_request(**later):
        clock[0] += timedelta(**later)
        assert client.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        with sessions() as s:
            return s.scalar(select(DeviceToken.last_seen_at).where(DeviceToken.name == "loket-1-button"))

    first = seen_after_a_request()
    assert first == clock[0]
    assert seen_after_a_request(seconds=30) == first  # a call button's next press writes nothing
    assert seen_after_a_request(seconds=31) == clock[0]  # a minute on: seen again


def test_no_show_transfer_and_search_through_the_api(client, as_user):
    t = client.post("/api/v1/tickets", json={"service": "ktp"}).get_json()
    h = as_user("pelayanan1")
    client.post("/api/v1/staff/call-next", headers=h, json={})
    assert client.post(f"/api/v1/staff/tickets/{t['id']}/no-show", headers=h).get_json()["ticket"]["status"] == "waiting"
    waiting = client.get("/api/v1/staff/lokets/1/waiting", headers=h).get_json()["tickets"]
    assert [w["number"] for w in waiting] == ["A001"]
    client.post(f"/api/v1/staff/tickets/{t['id']}/call", headers=h, json={})
    moved = client.post(f"/api/v1/staff/tickets/{t['id']}/transfer", headers=h, json={"loket": 3}).get_json()
    assert moved["ticket"]["loket"] == "Loket 3"
    found = client.get("/api/v1/staff/tickets?q=A001", headers=h).get_json()["tickets"]
    assert [f["id"] for f in found] == [t["id"]]


def test_a_loket_or_ticket_id_that_is_not_a_whole_number_is_not_found(client, as_user):
    """``int()`` would make ``true`` loket 1 and ``2.5`` loket 2; an id is a whole number or its digits."""
    client.post("/api/v1/tickets", json={"service": "ktp"})
    h = as_user("pelayanan1")
    for loket in (True, 2.5, " 2", "2_0", "\u0662"):
        resp = client.post("/api/v1/staff/call-next", headers=h, json={"loket": loket})
        assert resp.status_code == 404 and resp.get_json()["error"] == "Loket tidak ditemukan.", loket
    assert client.post("/api/v1/staff/tickets/1/call", headers=h, json={"loket": 1.0}).status_code == 200
    assert client.get("/api/v1/tickets/\u0661").status_code == 404

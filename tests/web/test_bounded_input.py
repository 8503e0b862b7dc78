"""Bounded input (issue 16): a body too large is refused before it is read, JSON nested without end is
a 400, NUL and lone surrogates never reach the database, and the file uploads keep their allowance."""
import base64
import io
import json

import pytest
from PIL import Image

APPLICANT = {"name": "Sri Wahyuni", "nik": "3503124507540001"}
BAD_TEXTS = ("Sri\x00Wahyuni", "Sri \ud800 Wahyuni")


@pytest.fixture
def as_user(app_staff):
    def headers(username):
        token = base64.b64encode(f"{username}:{app_staff[username]}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return headers


def raw_json(value) -> dict:
    """A JSON body as bytes: ``json=`` of the test client cannot carry a lone surrogate."""
    return {"data": json.dumps(value).encode(), "content_type": "application/json"}


def test_a_body_over_the_limit_is_a_413_in_the_json_shape_and_is_not_echoed(client):
    marker = "ZZ" + "x" * 3_000_000
    resp = client.post("/api/v1/tickets", data=json.dumps({"service": marker}), content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["code"] == "too_large" and resp.get_json()["error"]
    assert len(resp.data) < 500 and b"ZZ" not in resp.data


def test_a_page_form_over_the_limit_is_a_short_413_page(client):
    resp = client.post("/counter/login", data={"username": "x" * 3_000_000, "password": "p"})
    assert resp.status_code == 413
    assert "Permintaan terlalu besar" in resp.get_data(as_text=True) and len(resp.data) < 2000


def test_json_nested_a_thousand_deep_is_a_400(client, as_user):
    deep = "[" * 1000 + "]" * 1000
    resp = client.post("/api/v1/tickets", data=deep, content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_json"
    resp = client.post("/api/v1/staff/call-next", data=deep, content_type="application/json",
                       headers=as_user("pelayanan2"))
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_json"
    # 40 deep is not a ticket either, but is refused the same way, not parsed into the view
    resp = client.post("/api/v1/tickets", data='{"service": ' + "[" * 40 + "]" * 40 + "}",
                       content_type="application/json")
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_json"


@pytest.mark.parametrize("bad", BAD_TEXTS, ids=["nul", "lone-surrogate"])
def test_nul_or_a_lone_surrogate_in_the_staff_api_is_a_400(client, as_user, bad):
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    client.post("/api/v1/staff/call-next", headers=as_user("pelayanan2"), json={})
    step2 = f"/api/v1/staff/tickets/{t['id']}/steps/2"
    resp = client.post(step2, headers=as_user("pelayanan2"), **raw_json({"applicant": {**APPLICANT, "name": bad}}))
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_text"
    assert "karakter yang tidak sah" in resp.get_json()["error"]
    assert client.post(step2, headers=as_user("pelayanan2"), json={"applicant": APPLICANT}).status_code == 200
    resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/3", headers=as_user("kasi"),
                       **raw_json({"decision": "TMS", "note": f"kurang {bad}"}))
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_text"
    view = client.get(f"/api/v1/staff/tickets/{t['id']}", headers=as_user("kasi")).get_json()
    assert view["status"] != "returned" and view["applicant_name"] == "Sri Wahyuni"


def test_nul_in_the_counter_form_is_refused_in_indonesian(client, login):
    """A form is UTF-8: a surrogate's bytes arrive as U+FFFD, a NUL arrives as itself."""
    bad = BAD_TEXTS[0]
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    login("pelayanan2")
    client.post("/counter/call-next")
    resp = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": bad, "nik": APPLICANT["nik"]})
    assert resp.status_code == 400
    assert "karakter yang tidak sah" in resp.get_data(as_text=True)
    ticket = client.get(f"/api/v1/tickets/{t['id']}").get_json()
    assert ticket["status"] == "called"  # nothing was done


def test_a_lone_surrogate_in_the_public_api_or_the_survey_lookup_is_not_a_500(client):
    resp = client.post("/api/v1/tickets", **raw_json({"service": "ktp", "lang": "\udc00"}))
    assert resp.status_code == 400 and resp.get_json()["code"] == "bad_text"
    assert client.get("/api/v1/tickets/abc%00def").status_code == 400
    resp = client.post("/kiosk/survei/", data={"number": "A001", "code": "AB\x00C"})
    assert resp.status_code == 400 and "karakter yang tidak sah" in resp.get_data(as_text=True)


def test_socketio_follow_with_nul_or_a_huge_payload_does_not_crash(app):
    from antrean.shared.realtime.hub import socketio

    c = socketio.test_client(app, namespace="/ticket")
    assert c.emit("follow", {"public_id": "ab\x00cd"}, namespace="/ticket", callback=True) == {"error": "not found"}
    assert c.emit("follow", {"public_id": "ab\ud800"}, namespace="/ticket", callback=True) == {"error": "not found"}
    assert c.emit("follow", {"public_id": "x" * 100_000}, namespace="/ticket", callback=True) == {"error": "not found"}
    d = socketio.test_client(app, namespace="/display")
    assert isinstance(d.emit("snapshot", {"x": "\x00" * 100_000}, namespace="/display", callback=True), dict)
    assert c.is_connected("/ticket") and d.is_connected("/display")


def test_the_logo_upload_and_the_catalogue_import_keep_their_size(client, login):
    login("admin")
    img = io.BytesIO()
    Image.frombytes("RGB", (900, 900), bytes(range(256)) * (900 * 900 * 3 // 256) + b"\0" * (900 * 900 * 3 % 256)) \
        .save(img, "BMP")  # about 2.3 MB: over the app's body limit, within the logo's
    assert 2 * 1024 * 1024 < len(img.getvalue()) < 4 * 1024 * 1024
    resp = client.post("/counter/admin/logo", data={"logo": (io.BytesIO(img.getvalue()), "logo.bmp")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert resp.status_code == 200 and "terlalu besar" in resp.get_data(as_text=True)  # the form's own message
    png = io.BytesIO()
    Image.new("RGB", (900, 900)).save(png, "PNG")
    resp = client.post("/counter/admin/logo", data={"logo": (io.BytesIO(png.getvalue()), "logo.png")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "Logo disimpan" in resp.get_data(as_text=True)
    catalogue = client.get("/counter/admin/catalogue.yaml").data
    padded = catalogue + b"\n" + b"# " + b"x" * (2 * 1024 * 1024 - len(catalogue) - 30) + b"\n"
    assert len(padded) <= 2 * 1024 * 1024  # what the import reads; with the form around it, over the app's limit
    resp = client.post("/counter/admin/catalogue/import", data={"file": (io.BytesIO(padded), "besar.yaml")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert resp.status_code == 200 and "diimpor sebagai versi" in resp.get_data(as_text=True)


def test_an_error_never_echoes_a_long_input(client):
    long = "Q" * 1_000_000
    for body in ({"service": long}, {long: 1}):
        resp = client.post("/api/v1/tickets", json=body)
        assert resp.status_code in (400, 404) and len(resp.data) < 1000, resp.status_code

"""The survey pages: found by number + pickup code, answered once, anonymous."""
import re

from tests.support.factories import pickup_code_of

ALL = {f"u{i}": "3" for i in range(1, 10)}


def returned_ticket(client, login):
    t = client.post("/api/v1/tickets", json={"service": "ktp"}).get_json()
    login("pelayanan1")
    client.post("/counter/call-next")
    client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": "Warga", "nik": "3503124507540001"})
    client.post("/counter/logout")
    login("verifikasi")
    client.post(f"/counter/tickets/{t['id']}/step", data={"step": 3, "decision": "TMS", "missing": "Kartu Keluarga (KK)"})
    client.post("/counter/logout")
    return t


def test_survey_found_by_number_and_pickup_code(client, login, app):
    t = returned_ticket(client, login)
    code = pickup_code_of(app, t["id"])
    page = client.post("/kiosk/survei/", data={"number": "A001", "code": "WRONG"}).get_data(as_text=True)
    assert "tidak cocok" in page
    resp = client.post("/kiosk/survei/", data={"number": "a001", "code": code.lower()})
    assert resp.status_code == 302 and t["public_id"] in resp.headers["Location"]


def test_survey_answered_once(client, login):
    t = returned_ticket(client, login)
    url = f"/kiosk/survei/{t['public_id']}"
    page = client.get(url).get_data(as_text=True)
    assert len(re.findall(r'<fieldset class="question"', page)) == 9 and "Gratis" in page
    page = client.post(url, data={**ALL, "u9": ""}).get_data(as_text=True)
    assert "Mohon jawab kesembilan pertanyaan" in page
    page = client.post(url, data=ALL).get_data(as_text=True)
    assert 'id="survey-thanks"' in page
    assert "sudah diisi" in client.get(url).get_data(as_text=True)
    assert client.get("/kiosk/survei/nope").status_code == 404


def test_survey_closed_while_the_service_runs(client):
    t = client.post("/api/v1/tickets", json={"service": "ktp"}).get_json()
    page = client.get(f"/kiosk/survei/{t['public_id']}").get_data(as_text=True)
    assert "setelah layanan selesai" in page and "survey-form" not in page

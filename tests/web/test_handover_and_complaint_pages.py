"""The hand-over and a complaint through the counter forms and the staff API: the code asked for, a
wrong one refused in Indonesian with nothing recorded, a waiver with its reason; an anonymous complaint
with its text and channel, its outcome, its SP4N-LAPOR! number found by the staff search, and its text
on no public page."""
import base64

import pytest

from tests.support.factories import APPLICANT, COMPLAINT, FAMILY_B_FORMS, pickup_code_of


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def as_user(client, app_staff):
    return lambda username: basic(username, app_staff[username])


def to_hand_over(client, as_user):
    """An Ahli Waris ticket walked through the API up to its hand-over (step 7)."""
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    client.post("/api/v1/staff/call-next", headers=as_user("pelayanan2"), json={})
    for number, user, data in [(2, "pelayanan2", {"applicant": APPLICANT}), (3, "kasi", {"decision": "MS"}),
                               (4, "register", {}), (5, "sekcam", {}), (6, "camat", {})]:
        resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/{number}", headers=as_user(user), json=data)
        assert resp.status_code == 200, resp.get_json()
    return t


def test_the_api_hands_over_only_against_the_code(client, as_user, app):
    t = to_hand_over(client, as_user)
    url = f"/api/v1/staff/tickets/{t['id']}/steps/7"
    view = client.get(f"/api/v1/staff/tickets/{t['id']}", headers=as_user("pelayanan2")).get_json()
    assert view["pickup_code"] is None and view["handover"]["attempts_left"] == 5
    resp = client.post(url, headers=as_user("pelayanan2"), json={})
    assert resp.status_code == 400 and resp.get_json()["code"] == "pickup_code_required"
    resp = client.post(url, headers=as_user("pelayanan2"), json={"pickup_code": "XXXXXX"})
    assert resp.status_code == 409 and resp.get_json() == {
        "error": "Kode pengambilan salah. Dokumen belum diserahkan. Sisa percobaan: 4.", "code": "pickup_code_wrong"}
    resp = client.post(url, headers=as_user("pelayanan2"), json={"pickup_code": 123456})
    assert resp.status_code == 400
    view = client.get(f"/api/v1/staff/tickets/{t['id']}", headers=as_user("pelayanan2")).get_json()
    assert view["status"] == "in_progress" and view["current_step"]["number"] == 7
    assert view["handover"] == {"wrong_codes": 1, "attempts_left": 4, "code_locked": False}
    resp = client.post(url, headers=as_user("pelayanan2"), json={"pickup_code": pickup_code_of(app, t["id"])})
    assert resp.status_code == 200 and resp.get_json()["ticket"]["status"] == "done"


def test_the_api_hands_over_with_a_waiver_and_its_reason(client, as_user):
    t = to_hand_over(client, as_user)
    url = f"/api/v1/staff/tickets/{t['id']}/steps/7"
    resp = client.post(url, headers=as_user("pelayanan2"), json={"waiver": "ok"})
    assert resp.status_code == 400 and resp.get_json()["code"] == "waiver_reason"
    resp = client.post(url, headers=as_user("pelayanan2"), json={"waiver": "Tiket hilang, KTP diperiksa"})
    assert resp.status_code == 200 and resp.get_json()["ticket"]["status"] == "done"


def test_the_counter_asks_for_the_code_and_refuses_a_wrong_one(client, login, as_user, app):
    t = to_hand_over(client, as_user)
    code = pickup_code_of(app, t["id"])
    login("pelayanan2")
    client.post(f"/counter/tickets/{t['id']}/open")
    page = client.get("/counter/").get_data(as_text=True)
    assert 'data-step="7"' in page and 'name="pickup_code"' in page
    assert "Kode pengambilan (tercetak pada tiket pemohon)" in page and "Tiket hilang? Serahkan tanpa kode" in page
    assert code not in page  # the screen never shows the code it asks for
    page = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 7, "pickup_code": "AAAAAA"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Kode pengambilan salah. Dokumen belum diserahkan. Sisa percobaan: 4." in page
    assert "Kode salah 1 kali; sisa percobaan: 4." in page and 'data-status="in_progress"' in page
    # a reason typed without ticking "without the code" is no waiver
    page = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 7, "waiver": "Tiket hilang, KTP dicek"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Minta kode pengambilan" in page and 'data-status="in_progress"' in page
    page = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 7, "pickup_code": code.lower()},
                       follow_redirects=True).get_data(as_text=True)
    assert "B001 selesai" in page and 'data-status="done"' in page


def test_the_counter_hands_over_without_the_code_for_a_reason(client, login, as_user):
    t = to_hand_over(client, as_user)
    login("pelayanan2")
    page = client.post(f"/counter/tickets/{t['id']}/step",
                       data={"step": 7, "without_code": "1", "waiver": "Tiket hilang, identitas dicek dengan KTP"},
                       follow_redirects=True).get_data(as_text=True)
    assert "B001 selesai" in page


def test_an_anonymous_complaint_through_the_counter_forms(client, login, app):
    t = client.post("/api/v1/tickets", json={"service": "pengaduan"}).get_json()
    login("pelayanan1")
    client.post("/counter/loket", data={"loket_id": 3})
    page = client.post("/counter/call-next", follow_redirects=True).get_data(as_text=True)
    assert 'data-step="2"' in page and 'name="channel"' in page and 'name="text"' in page
    assert "nama dan NIK boleh dikosongkan" in page
    assert '<input name="nik" required' not in page and '<input name="name" required' not in page
    form = {"step": 2, "name": "", "nik": "", "address": "", "phone": "", "decision": "MS",
            "channel": "tertulis", "text": COMPLAINT["text"], "lapor_number": "#5551234"}
    page = client.post(f"/counter/tickets/{t['id']}/step", data={**form, "nik": "0000000000000000"},
                       follow_redirects=True).get_data(as_text=True)
    assert "NIK tidak boleh berisi nol semua." in page and 'data-status="called"' in page
    page = client.post(f"/counter/tickets/{t['id']}/step", data={**form, "text": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "Tuliskan isi pengaduan." in page
    page = client.post(f"/counter/tickets/{t['id']}/step", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Langkah 2 selesai untuk D001" in page
    assert COMPLAINT["text"] in page and "5551234" in page  # on the staff's card
    # the staff search finds it by its SP4N-LAPOR! number
    page = client.get("/counter/?q=%235551234").get_data(as_text=True)
    assert "Hasil pencarian" in page and 'data-ticket="D001"' in page
    # never on a public page
    public = client.get(f"/kiosk/t/{t['public_id']}").get_data(as_text=True)
    assert "Lampu jalan" not in public and "5551234" not in public
    assert "Lampu jalan" not in client.get(f"/api/v1/tickets/{t['id']}").get_data(as_text=True)
    assert "Lampu jalan" not in client.get("/display/state.json").get_data(as_text=True)


def test_a_refused_intake_gives_back_what_the_clerk_typed(client, login):
    """A refused step (here an implausible NIK) shows its reason with the form as the clerk filled it
    in (400, no redirect to an empty form); nothing is recorded."""
    t = client.post("/api/v1/tickets", json={"service": "pengaduan"}).get_json()
    login("pelayanan1")
    client.post("/counter/loket", data={"loket_id": 3})
    client.post("/counter/call-next")
    form = {"step": 2, "name": "Warga Pelapor", "nik": "0000000000000000", "address": "Desa Bendoagung RT 03",
            "phone": "081234567890", "decision": "MS", "channel": "tertulis", "text": COMPLAINT["text"],
            "lapor_number": "5551234"}
    resp = client.post(f"/counter/tickets/{t['id']}/step", data=form)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "D001: NIK tidak boleh berisi nol semua." in page and 'data-status="called"' in page  # names the ticket
    assert "Nama pelapor (opsional)" in page and "Alamat (opsional)" in page and "Nama pemohon" not in page
    assert f'>{COMPLAINT["text"]}</textarea>' in page
    for name in ("name", "nik", "address", "phone", "lapor_number"):
        assert f'value="{form[name]}"' in page, name
    assert 'value="tertulis" required checked' in page and 'value="MS" required checked' in page
    assert "complaint-record" not in page  # nothing recorded
    # the next page load is the plain form again (nothing kept in the session)
    page = client.get("/counter/").get_data(as_text=True)
    assert 'value="0000000000000000"' not in page and COMPLAINT["text"] not in page


def test_a_refused_hand_over_never_gives_back_the_code(client, login, as_user):
    t = to_hand_over(client, as_user)
    login("pelayanan2")
    resp = client.post(f"/counter/tickets/{t['id']}/step",
                       data={"step": 7, "pickup_code": "AAAAAA", "waiver": "Tiket hilang, KTP dicek"})
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "B001: Kode pengambilan salah." in page and "AAAAAA" not in page
    assert ">Tiket hilang, KTP dicek</textarea>" in page  # the reason typed so far is kept


def test_only_a_loket_calls_the_applicant_to_collect(client, login, as_user):
    """The Camat (no loket) finds a signed letter by its number but is not offered to call its
    applicant; the Petugas Pelayanan at Loket 2 is."""
    to_hand_over(client, as_user)
    login("camat")
    page = client.get("/counter/?q=B001").get_data(as_text=True)
    assert 'data-ticket="B001"' in page and 'id="pickup"' not in page and "Panggil untuk" not in page
    body = page.split("<body", 1)[1]
    assert body.count("Kecamatan Kampak") == 1  # the menu bar names the office, the header does not again
    login("pelayanan2")
    page = client.get("/counter/").get_data(as_text=True)
    assert 'id="pickup"' in page and "Panggil untuk pengambilan surat" in page


def test_the_outcome_form_at_the_camats_decision(client, login, as_user):
    t = client.post("/api/v1/tickets", json={"service": "pengaduan"}).get_json()
    client.post("/api/v1/staff/call-next", headers=as_user("pelayanan1"), json={"loket": 3})
    steps = [(2, "pelayanan1", {"decision": "MS", "complaint": {"channel": "langsung", "text": COMPLAINT["text"]}}),
             (3, "pengaduan", {}), (4, "sekcam", {})]
    for number, user, data in steps:
        resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/{number}", headers=as_user(user), json=data)
        assert resp.status_code == 200, resp.get_json()
    login("camat")
    page = client.get("/counter/").get_data(as_text=True)
    assert 'data-step="5"' in page and 'name="outcome"' in page and COMPLAINT["text"] in page
    page = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 5, "outcome": "", "lapor_number": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "Tuliskan hasil keputusan (berita acara kesepakatan)." in page
    page = client.post(f"/counter/tickets/{t['id']}/step", data={"step": 5, "outcome": COMPLAINT["outcome"],
                                                                 "lapor_number": "7770001"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Langkah 5 selesai untuk D001" in page
    found = client.get("/api/v1/staff/tickets?q=7770001", headers=as_user("pengaduan")).get_json()["tickets"]
    assert [f["number"] for f in found] == ["D001"]
    assert found[0]["complaint"]["outcome"] == COMPLAINT["outcome"]


def test_family_b_forms_still_walk_to_done_with_the_code(client, login, app):
    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    users = {}
    for number, user, extra in FAMILY_B_FORMS:
        if user not in users:
            users[user] = app.test_client()
            login(user, users[user])
        if number == 2:
            users[user].post("/counter/call-next")
            extra = {**extra, **APPLICANT}
        if number == 7:
            extra = {**extra, "pickup_code": pickup_code_of(app, t["id"])}
        page = users[user].post(f"/counter/tickets/{t['id']}/step", data={"step": number, **extra},
                                follow_redirects=True).get_data(as_text=True)
        assert "flash error" not in page
    assert client.get(f"/api/v1/tickets/{t['id']}").get_json()["status"] == "done"


def test_the_register_of_complaints_for_staff(client, login, as_user, app):
    t = client.post("/api/v1/tickets", json={"service": "pengaduan"}).get_json()
    client.post("/api/v1/staff/call-next", headers=as_user("pelayanan1"), json={"loket": 3})
    steps = [(2, "pelayanan1", {"decision": "MS", "complaint": {"channel": "tertulis", "text": COMPLAINT["text"],
                                                                "lapor_number": "4421907"}}),
             (3, "pengaduan", {}), (4, "sekcam", {}), (5, "camat", {"complaint": {"outcome": COMPLAINT["outcome"]}}),
             (6, "pengaduan", {"waiver": "Disampaikan lewat telepon kepada pelapor anonim"})]
    for number, user, data in steps:
        resp = client.post(f"/api/v1/staff/tickets/{t['id']}/steps/{number}", headers=as_user(user), json=data)
        assert resp.status_code == 200, resp.get_json()
    login("kasi")
    page = client.get("/counter/reports/register").get_data(as_text=True)
    row = page[page.index('<table id="complaints">'):]
    assert "D001" in row and "Anonim" in row and "Tertulis" in row and COMPLAINT["text"] in row
    assert COMPLAINT["outcome"] in row and "4421907" in row
    assert "Diserahkan tanpa kode pengambilan: Disampaikan lewat telepon" in row
    page = client.post("/counter/reports/register", data={"q": "4421907"}).get_data(as_text=True)
    assert "D001" in page[page.index('<table id="complaints">'):]
    page = client.post("/counter/reports/register", data={"q": "tidak ada"}).get_data(as_text=True)
    assert "Tidak ada pengaduan." in page
    csv = client.get("/counter/reports/export/complaints.csv").get_data(as_text=True)
    assert "Isi pengaduan" in csv and COMPLAINT["text"] in csv and "4421907" in csv
    client.post("/counter/logout")
    login("pelayanan1")  # a front-desk clerk: no reports
    assert client.get("/counter/reports/export/complaints.csv").status_code == 403

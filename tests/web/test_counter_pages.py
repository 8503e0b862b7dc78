"""What the counter screen needs to refresh only for changes it shows (counter/static/counter.js),
and that its background refreshes never keep an unattended session alive."""
import json
import re


def _main_data(page: str) -> dict:
    tag = re.search(r'<main class="counter"[^>]*>', page).group(0)
    return {"roles": json.loads(re.search(r"data-roles='([^']*)'", tag).group(1)),
            "groups": json.loads(re.search(r"data-groups='([^']*)'", tag).group(1)),
            "loket": re.search(r'data-loket="([^"]*)"', tag).group(1)}


def test_the_screen_says_whose_files_and_which_queue_it_shows(client, login):
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    login("pelayanan2")  # Loket 2: surat keterangan
    page = client.get("/counter/").get_data(as_text=True)
    assert _main_data(page) == {"roles": ["petugas_pelayanan"], "groups": ["surat_keterangan"], "loket": "Loket 2"}
    page = client.post("/counter/call-next", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<article class="ticket-card" data-ticket="B001" data-id="1"', page)
    client.post("/counter/logout")
    login("kasi")  # back office: no loket, no queue of its own
    assert _main_data(client.get("/counter/").get_data(as_text=True)) == {
        "roles": ["kasi_pelayanan"], "groups": [], "loket": ""}


def test_a_loket_serving_a_single_service_listens_to_that_services_group(client, login, app):
    from antrean.shared.store.models import Loket

    with app.extensions["antrean"].sessions.begin() as s:
        loket = Loket(number=9, name="Loket KTP", groups=["ktp", "pengaduan"], active=True)
        s.add(loket)
        s.flush()
        loket_id = loket.id
    login("pelayanan1")
    client.post("/counter/loket", data={"loket_id": loket_id})
    page = client.get("/counter/").get_data(as_text=True)
    assert _main_data(page) == {"roles": ["petugas_pelayanan"], "groups": ["adminduk", "pengaduan"], "loket": "Loket KTP"}


def test_ticket_pushes_name_the_role_whose_step_is_now_current(app, client, login, catalogue):
    from antrean.shared.realtime.hub import socketio

    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    kasi = app.test_client()
    login("kasi", kasi)
    screen = socketio.test_client(app, namespace="/counter", flask_test_client=kasi)
    screen.get_received("/counter")
    login("pelayanan2")
    client.post("/counter/call-next")
    client.post("/counter/tickets/1/step", data={"step": 2, "name": "Sri", "nik": "3503124507540001"})
    tickets = [e["args"][0] for e in screen.get_received("/counter") if e["name"] == "ticket"]
    screen.disconnect(namespace="/counter")
    assert [(t["number"], t["status"], t["actor"]) for t in tickets] == [
        ("B001", "called", catalogue.services["ahli_waris"].steps[0].actor),  # the applicant submits
        ("B001", "in_progress", catalogue.services["ahli_waris"].steps[2].actor),
    ]
    assert tickets[-1]["actor"] == "kasi_pelayanan"  # the Kasi's screen knows the file is now theirs
    assert all("Sri" not in json.dumps(t) for t in tickets)


BACKGROUND = {"X-Antrean-Background": "1"}


def test_background_refreshes_do_not_keep_an_unattended_session_alive(client, login, app):
    login("pelayanan2")
    assert client.get("/counter/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] -= 120
        two_minutes_ago = sess["seen"]
    # The screen refreshing itself (a page swap, the waiting list) is not the clerk's activity.
    assert client.get("/counter/", headers=BACKGROUND).status_code == 200
    assert client.get("/counter/waiting.json", headers=BACKGROUND).status_code == 200
    with client.session_transaction() as sess:
        assert sess["seen"] == two_minutes_ago
    # A click is.
    assert client.get("/counter/").status_code == 200
    with client.session_transaction() as sess:
        assert sess["seen"] > two_minutes_ago + 100
        sess["seen"] -= app.config["SESSION_MINUTES"] * 60 + 1
    # Past the limit the screen's next refresh lands on the login page.
    resp = client.get("/counter/", headers=BACKGROUND)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/counter/login")
    assert "Sesi berakhir" in client.get("/counter/login").get_data(as_text=True)

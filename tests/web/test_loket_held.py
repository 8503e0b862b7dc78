"""The loket's tickets on the web: the staff API's ``GET /lokets/<id>``, the ``409 loket_busy`` of a
call while the loket holds a ticket (API and counter screen), and the screen's "who can" for a
ticket the clerk's roles cannot take."""
import base64
import re

from sqlalchemy import select

from antrean.shared.store.models import AuditEntry

NIK = "3503124507540001"


def basic(app_staff, username):
    token = base64.b64encode(f"{username}:{app_staff[username]}".encode()).decode()
    return {"Authorization": "Basic " + token}


def held_numbers(page: str) -> list[str]:
    return re.findall(r'<div class="held" id="ticket-\d+" data-held="([A-Z]\d+)"', page)


def test_the_staff_api_answers_what_a_loket_holds(client, app_staff):
    pelayanan1, verifikasi = basic(app_staff, "pelayanan1"), basic(app_staff, "verifikasi")
    client.post("/api/v1/tickets", json={"service": "ktp"})
    client.post("/api/v1/tickets", json={"service": "ktp"})
    called = client.post("/api/v1/staff/call-next", headers=pelayanan1, json={}).get_json()["ticket"]
    state = client.get("/api/v1/staff/lokets/1", headers=verifikasi).get_json()  # another user of loket 1
    assert state["loket"] == {"id": 1, "number": 1, "name": "Loket 1", "groups": ["adminduk"]}
    assert state["serving"] == [] and [t["number"] for t in state["called"]] == ["A001"]
    assert state["called"][0]["status"] == "called" and state["called"][0]["pickup_code"] == called["pickup_code"]
    client.post(f"/api/v1/staff/tickets/{called['id']}/arrive", headers=pelayanan1, json={})
    state = client.get("/api/v1/staff/lokets/1", headers=pelayanan1).get_json()
    assert [t["number"] for t in state["serving"]] == ["A001"] and state["called"] == []
    assert client.get("/api/v1/staff/lokets/2", headers=pelayanan1).get_json()["serving"] == []
    assert client.get("/api/v1/staff/lokets/99", headers=pelayanan1).status_code == 404
    assert client.get("/api/v1/staff/lokets/1").status_code == 401


def test_call_next_on_a_busy_loket_is_409_and_force_is_audited(app, client, app_staff):
    clerk = basic(app_staff, "pelayanan1")
    for _ in range(3):
        client.post("/api/v1/tickets", json={"service": "ktp"})
    first = client.post("/api/v1/staff/call-next", headers=clerk, json={}).get_json()["ticket"]
    refused = client.post("/api/v1/staff/call-next", headers=clerk, json={})
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "loket_busy" and "A001" in body["error"]
    assert body["held"] == [{"id": first["id"], "number": "A001", "status": "called", "held": "called",
                             "returnable": True}]
    chosen = client.post("/api/v1/staff/tickets/3/call", headers=clerk, json={})
    assert chosen.status_code == 409 and chosen.get_json()["code"] == "loket_busy"
    assert client.post("/api/v1/staff/call-next", headers=clerk, json={"force": "yes"}).status_code == 400
    forced = client.post("/api/v1/staff/call-next", headers=clerk, json={"force": True})
    assert forced.status_code == 200 and forced.get_json()["ticket"]["number"] == "A002"
    state = client.get("/api/v1/staff/lokets/1", headers=clerk).get_json()
    assert [t["number"] for t in state["called"]] == ["A001", "A002"]  # the one left is still shown
    with app.extensions["antrean"].sessions() as s:
        left = s.scalars(select(AuditEntry).where(AuditEntry.action == "left_by_forced_call")).one()
    assert (left.ticket_id, left.username, left.after["called_instead"]) == (first["id"], "pelayanan1", "A002")
    # the choices: return it to the queue (in its place)
    back = client.post(f"/api/v1/staff/tickets/{first['id']}/return", headers=clerk, json={}).get_json()["ticket"]
    assert back["status"] == "waiting" and back["position"] == 0


def test_the_counter_screen_shows_the_lokets_ticket_after_a_relogin_and_on_another_users_screen(client, login, app):
    client.post("/api/v1/tickets", json={"service": "ktp"})
    client.post("/api/v1/tickets", json={"service": "ktp"})
    login("pelayanan1")
    client.post("/counter/call-next")
    client.post("/counter/logout")
    login("pelayanan1")  # a new session: nothing of the old one
    page = client.get("/counter/").get_data(as_text=True)
    assert held_numbers(page) == ["A001"]
    other = app.test_client()
    login("verifikasi", other)  # another user of loket 1, another PC
    assert held_numbers(other.get("/counter/").get_data(as_text=True)) == ["A001"]

    busy = client.post("/counter/call-next")
    assert busy.status_code == 409
    page = busy.get_data(as_text=True)
    assert 'id="loket-busy"' in page and 'data-code="loket_busy"' in page
    panel = page[page.index('id="loket-busy"'):page.index("</section>", page.index('id="loket-busy"'))]
    for choice in ("Selesaikan", "Tidak hadir", "Kembalikan ke antrean", "Panggil tetap"):
        assert choice in panel
    assert held_numbers(page) == ["A001"]  # nothing was called
    as_json = client.post("/counter/call-next", headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and as_json.get_json()["code"] == "loket_busy"

    client.post("/counter/call-next", data={"force": "1"})
    assert held_numbers(client.get("/counter/").get_data(as_text=True)) == ["A001", "A002"]
    client.post("/counter/tickets/1/no-show")
    client.post("/counter/tickets/2/return")
    page = client.get("/counter/").get_data(as_text=True)
    assert held_numbers(page) == [] and 'id="loket-tickets"' not in page


def test_a_ticket_the_clerk_cannot_take_says_who_can_and_offers_transfer(client, login, app_staff):
    t = client.post("/api/v1/tickets", json={"service": "pengaduan"}).get_json()
    # a Petugas Pelayanan calls the complaint to Loket 3 (a mixed loket: OSS and Pengaduan)
    client.post(f"/api/v1/staff/tickets/{t['id']}/call", headers=basic(app_staff, "pelayanan1"), json={"loket": 3})
    login("teknis")  # Tim Teknis, Loket 3
    page = client.get("/counter/").get_data(as_text=True)
    hint = re.search(r'<p class="flash info who-can">(.*?)</p>', page, re.S).group(1)
    hint = " ".join(hint.split())
    assert "Langkah 2 (Menerima laporan pengaduan baik secara lisan maupun tertulis) dikerjakan oleh Petugas Pelayanan" in hint
    assert "Loket 1, Loket 2" in hint and "Alihkan" in hint
    assert "petugas_pelayanan" not in hint
    card = page[page.index('data-held="D001"'):]
    assert 'name="loket_id" aria-label="Alihkan ke loket"' in card  # the transfer form
    assert 'class="step-form' not in card[:card.index("</article>")]  # no form for a step not his
    # and call-next does not offer it to him
    assert client.post("/api/v1/staff/call-next", headers=basic(app_staff, "teknis"),
                       json={"force": True}).get_json()["ticket"] is None

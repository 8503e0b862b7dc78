"""The kiosk, its API, the ticket preview, the public status page, the staff print queue and
kiosk-services pages, and the /printer namespace, through the Flask and Socket.IO test clients."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from antrean.shared.realtime.hub import socketio
from antrean.shared.services.tokens import create_token
from tests.support.factories import issue

# -- the kiosk page -------------------------------------------------------------------------


def test_the_kiosk_shows_the_four_groups_then_their_services(client, catalogue):
    page = client.get("/kiosk/?lang=id").get_data(as_text=True)
    groups = re.findall(r'<button type="button" class="group" data-group="(\w+)"', page)
    assert groups == ["adminduk", "surat_keterangan", "perizinan", "pengaduan"]
    for code, _service in catalogue.services.items():
        assert f'data-service="{code}"' in page
    ktp = page[page.index('data-service="ktp"'):]
    ktp = ktp[:ktp.index("</button>")]
    assert "Rekomendasi Kartu Tanda Penduduk (KTP)" in ktp
    assert "Bawa:" in ktp and "Kartu Keluarga (KK)" in ktp  # what to bring, from the catalogue
    assert "Standar waktu 15 menit" in ktp  # the catalogue's standard total minutes
    for reason in ("lansia", "disabilitas", "ibu_hamil_menyusui", "anak"):
        assert f'data-reason="{reason}"' in page
    assert "Silakan pilih layanan" in page and 'id="result-qr"' in page and 'id="result-preview"' in page


def test_the_english_toggle(client):
    page = client.get("/kiosk/?lang=en").get_data(as_text=True)
    assert "Please choose a service" in page and "ID card (KTP) recommendation" in page
    assert "Elderly" in page and "Pregnant / nursing mother" in page
    assert "Child / with a small child" in page and "Touch the kind of service" in page
    assert '<html lang="en">' in page
    # The language sticks for the session until toggled back.
    assert "Please choose a service" in client.get("/kiosk/").get_data(as_text=True)
    assert "Silakan pilih layanan" in client.get("/kiosk/?lang=id").get_data(as_text=True)


def test_services_api_says_what_is_open(client):
    data = client.get("/api/v1/services").get_json()
    assert data["office"] == {"message": "", "open": True}
    ktp = next(s for s in data["services"] if s["code"] == "ktp")
    assert ktp["availability"] == {"open": True, "reason": None, "reopens_at": None, "quota": None,
                                   "issued": 0, "remaining": None, "message": ""}


# -- issuing ----------------------------------------------------------------------------------


def test_a_repeated_request_id_gets_the_same_ticket_with_200(client):
    first = client.post("/api/v1/tickets", json={"service": "ktp", "request_id": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    again = client.post("/api/v1/tickets", json={"service": "ktp", "request_id": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["repeated"] is True
    assert again.headers["Location"] == first.headers["Location"]
    other = client.post("/api/v1/tickets", json={"service": "ktp", "request_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"})
    assert other.status_code == 201 and other.get_json()["number"] == "A002"
    bad = client.post("/api/v1/tickets", json={"service": "ktp", "request_id": "x"})
    assert bad.status_code == 400 and bad.get_json()["code"] == "bad_request_id"


def test_a_priority_choice_gives_a_priority_ticket_and_records_why(client, app, printer):
    issue(client, "ahli_waris")
    t = issue(client, "ahli_waris", priority=True, priority_reason="ibu_hamil_menyusui")
    assert t["priority"] and t["position"] == 0
    app.extensions["antrean.printer"].run_due()
    assert printer.slips[-1].priority_label == "Prioritas: ibu hamil / menyusui"


@pytest.fixture
def kasi(client, login):
    return login("kasi")


def test_a_service_closed_for_today_is_greyed_and_refused(client, kasi):
    resp = client.post("/counter/availability/close", data={"service": "ektp"})
    assert resp.status_code == 302
    page = client.get("/kiosk/?lang=id").get_data(as_text=True)
    button = page[page.index('data-service="ektp"') - 60:]
    button = button[:button.index("</button>")]
    assert "closed" in button and "disabled" in button and "Layanan ditutup hari ini" in button
    refused = client.post("/api/v1/tickets", json={"service": "ektp"})
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "service_closed" and body["service"] == "ektp"
    assert "closed today" in body["error"]
    assert body["availability"]["message"] == "Layanan ditutup hari ini"
    assert body["availability"]["reopens_at"].startswith("2026-11-25T07:30")
    assert issue(client, "ktp")["number"] == "A001"  # the others stay open
    # Staff see and undo it.
    state = client.get("/counter/availability/state.json").get_json()
    assert next(s for s in state["services"] if s["code"] == "ektp")["closed_today"] is True
    client.post("/counter/availability/open", data={"service": "ektp"})
    assert issue(client, "ektp")["number"] == "A002"


def test_a_quota_set_by_staff(client, kasi):
    resp = client.post("/counter/availability/quota", json={"service": "kia", "quota": 1})
    assert resp.status_code == 200 and resp.get_json()["quota"] == 1
    issue(client, "kia")
    refused = client.post("/api/v1/tickets?lang=en", json={"service": "kia"})
    assert refused.status_code == 409 and refused.get_json()["code"] == "quota_full"
    assert refused.get_json()["availability"]["message"] == "Today's quota is used up"


def test_closing_needs_a_login_and_a_role(client, login):
    assert client.post("/counter/availability/close", data={"service": "ektp"}).status_code == 302  # to login
    assert issue(client, "ektp")
    login("register")
    resp = client.post("/counter/availability/close", json={"service": "ektp"})
    assert resp.status_code == 403


@pytest.fixture
def evening_app(tmp_path, printer):
    """The office's real hours: Tuesday 17:00 WIB, after closing time."""
    from antrean.shared.app import create_app

    clock = lambda: datetime(2026, 11, 24, 17, 0, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)  # noqa: E731
    app = create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'eve.db'}",
                      "SECRET_KEY": "test", "TESTING": True, "ALWAYS_OPEN": False},
                     clock=clock, printer=printer, start_workers=False)
    yield app
    app.extensions["antrean.engine"].dispose()


def test_outside_office_hours_the_kiosk_says_so_plainly(evening_app):
    client = evening_app.test_client()
    page = client.get("/kiosk/?lang=id").get_data(as_text=True)
    assert re.search(r'id="office-closed"[^>]*>Di luar jam pelayanan, buka kembali besok 07.30<', page)
    assert page.count("disabled>") >= 22 or page.count(" disabled") >= 22
    resp = client.post("/api/v1/tickets", json={"service": "ktp"})
    assert resp.status_code == 409 and resp.get_json()["code"] == "outside_hours"
    en = client.get("/api/v1/services?lang=en").get_json()
    assert en["office"] == {"message": "Outside office hours, open again tomorrow 07:30", "open": False}


# -- printing as the kiosk sees it --------------------------------------------------------------


def test_print_state_printing_printed_fault(app, client, printer):
    t = issue(client)
    assert client.get(f"/api/v1/tickets/{t['id']}/print").get_json() == {"status": "printing", "attempts": 0}
    app.extensions["antrean.printer"].run_due()
    assert client.get(f"/api/v1/tickets/{t['id']}/print").get_json() == {"status": "printed", "attempts": 1}
    printer.fail = True
    t2 = issue(client)
    app.extensions["antrean.printer"].run_due()
    assert client.get(f"/api/v1/tickets/{t2['id']}/print").get_json()["status"] == "fault"
    assert client.get("/api/v1/tickets/999/print").status_code == 404


def test_the_preview_is_the_printed_layout_as_png(client):
    import io

    from PIL import Image

    t = issue(client, "ahli_waris")
    resp = client.get(f"/kiosk/preview/{t['public_id']}.png")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    image = Image.open(io.BytesIO(resp.data))
    assert image.width == 42 * 12 + 48 and image.height > 600
    assert client.get("/kiosk/preview/nope.png").status_code == 404


def test_the_preview_masks_the_pickup_code(app, client, monkeypatch):
    import antrean.hardware.layouts.preview as preview

    seen = []
    real = preview.render_png
    monkeypatch.setattr(preview, "render_png", lambda slip, width=42: seen.append(slip) or real(slip, width))
    t = issue(client, "ahli_waris")
    client.get(f"/kiosk/preview/{t['public_id']}.png")
    assert seen[0].pickup_code == "******" and seen[0].number == "B001"
    assert seen[0].status_url == f"http://localhost/kiosk/t/{t['public_id']}"


# -- the public status page -----------------------------------------------------------------


def test_the_status_page_has_no_personal_data(app, client, login):
    t = issue(client, "ahli_waris")
    desk = app.extensions["antrean"]
    from sqlalchemy import select

    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    staff_client = app.test_client()
    login("pelayanan2", staff_client)
    with desk.sessions() as s:
        clerk = Actor.of(s.scalar(select(User).where(User.username == "pelayanan2")))
    desk.call_next(clerk)
    desk.complete_step(clerk, t["id"], 2, applicant={"name": "Sri Wahyuni", "nik": "3503124507540001"})
    resp = client.get(t["status_url"])
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "B001" in page and "Surat Keterangan Ahli Waris" in page
    assert "Sri Wahyuni" not in page and "3503124507540001" not in page and "3503" not in page
    assert resp.headers["Cache-Control"] == "no-store" and 'content="noindex' in page
    assert "Loket 2" in page  # the loket it was called to
    assert client.get("/kiosk/t/not-a-real-id").status_code == 404


def test_the_status_shows_when_documents_are_ready(app, client, login):
    from sqlalchemy import select

    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    login("pelayanan2")
    desk = app.extensions["antrean"]
    t = issue(client, "ahli_waris")
    with desk.sessions() as s:
        actors = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    desk.call_next(actors["pelayanan2"])
    desk.complete_step(actors["pelayanan2"], t["id"], 2, applicant={"name": "Sri", "nik": "3503124507540001"})
    desk.complete_step(actors["kasi"], t["id"], 3, decision="MS")
    for step, who in ((4, "register"), (5, "sekcam"), (6, "camat")):
        assert desk.get_ticket(t["id"])["ready"] is False
        desk.complete_step(actors[who], t["id"], step)
    view = desk.get_ticket(t["id"])
    assert view["ready"] is True and view["current_step"]["number"] == 7
    page = client.get(t["status_url"]).get_data(as_text=True)
    assert "Dokumen siap diambil: silakan menuju {loket}." in page  # the phone fills in the loket


# -- staff: the print queue -----------------------------------------------------------------


def test_the_print_queue_needs_a_login(client):
    assert client.get("/counter/printing/").status_code == 302
    assert client.get("/counter/printing/status.json").status_code == 302


def test_staff_see_a_printer_fault_and_reprint(app, client, printer, login, clock):
    worker = app.extensions["antrean.printer"]
    printer.fail = True
    t = issue(client, "ktp")
    worker.run_due()
    login("pelayanan1")
    state = client.get("/counter/printing/status.json").get_json()
    assert state["fault"] is True and "printer offline" in state["faults"][0]
    assert state["jobs"][0]["number"] == "A001" and state["jobs"][0]["status"] == "pending"
    page = client.get("/counter/printing/").get_data(as_text=True)
    assert 'id="printer-fault"' in page and "A001" in page
    # The printer comes back: printed once, then a reprint on request.
    printer.fail = False
    resp = client.post(f"/counter/printing/jobs/{state['jobs'][0]['job']}/retry")
    assert resp.status_code == 302
    assert worker.run_due() == 1
    assert client.get("/counter/printing/status.json").get_json()["fault"] is False
    resp = client.post(f"/counter/printing/tickets/{t['id']}/reprint", json={})
    assert resp.status_code == 200 and resp.get_json()["kind"] == "reprint"
    assert worker.run_due() == 1 and worker.run_due() == 0
    assert [s.number for s in printer.slips] == ["A001", "A001"]
    # A job can be stopped; the ticket stays valid.
    printer.fail = True
    t2 = issue(client, "ktp")
    worker.run_due()
    job = client.get("/counter/printing/status.json").get_json()["jobs"][0]
    assert job["number"] == "A002"
    assert client.post(f"/counter/printing/jobs/{job['job']}/cancel", json={}).get_json()["status"] == "cancelled"
    assert client.get(f"/api/v1/tickets/{t2['id']}").get_json()["status"] == "waiting"
    assert client.post(f"/counter/printing/jobs/{job['job']}/cancel", json={}).status_code == 409


def test_the_reprint_is_audited(app, client, login):
    from sqlalchemy import select

    from antrean.shared.store.models import AuditEntry

    t = issue(client)
    login("pelayanan1")
    client.post(f"/counter/printing/tickets/{t['id']}/reprint")
    with app.extensions["antrean"].sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "print:reprint"))
    assert entry.username == "pelayanan1" and entry.ticket_id == t["id"]


# -- print agents over Socket.IO ----------------------------------------------------------------


def test_a_wrong_token_is_refused_on_the_printer_namespace(app):
    create_token(app.extensions["antrean"].sessions, "kiosk-1", "print_agent")
    sio = socketio.test_client(app, namespace="/printer", auth={"token": "not-the-token-at-all-000000"})
    assert not sio.is_connected("/printer")
    sio = socketio.test_client(app, namespace="/printer")
    assert not sio.is_connected("/printer")


def test_a_ticket_for_an_agent_is_sent_acknowledged_and_printed_once(app, client, clock):
    desk = app.extensions["antrean"]
    hub = app.extensions["antrean.print_hub"]
    token = create_token(desk.sessions, "kiosk-2", "print_agent")
    # Only a kiosk with its kiosk key names a print agent; to it, an unknown name is a plain mistake.
    # Without a key the answer is the same for a known and an unknown name (tests/web/test_fair_use.py).
    kiosk_key = create_token(desk.sessions, "kiosk-front", "kiosk")
    unknown = client.post("/api/v1/tickets", json={"service": "ktp", "printer": "kiosk-9"},
                          headers={"X-Kiosk-Key": kiosk_key})
    assert unknown.status_code == 400 and unknown.get_json()["code"] == "bad_printer"
    anonymous = client.post("/api/v1/tickets", json={"service": "ktp", "printer": "kiosk-2"})
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "kiosk_key_required"
    t = issue(client, "ktp", printer="kiosk-2", kiosk_key=kiosk_key)
    assert app.extensions["antrean.printer"].run_due() == 0  # not for the server's printer

    agent = socketio.test_client(app, namespace="/printer", auth={"token": token})
    assert agent.is_connected("/printer")
    answer = agent.emit("ready", {"printer": "usb://04b8:0e15", "status": {"online": True, "paper": "ok"}},
                        namespace="/printer", callback=True)
    assert answer == {"name": "kiosk-2", "pending": 1}
    assert hub.dispatch() == 1
    jobs = [m["args"][0] for m in agent.get_received("/printer") if m["name"] == "job"]
    assert [j["number"] for j in jobs] == ["A001"]
    assert jobs[0]["slip"]["status_url"].endswith(t["status_url"])
    assert hub.dispatch() == 0  # sent, waiting for the answer
    clock.advance(seconds=31)  # no answer within ANTREAN_PRINT_ACK_SECONDS: sent again
    assert hub.dispatch() == 1
    assert agent.emit("done", {"job": jobs[0]["job"], "ok": True}, namespace="/printer", callback=True) == {"ok": True}
    assert client.get(f"/api/v1/tickets/{t['id']}/print").get_json()["status"] == "printed"
    clock.advance(seconds=60)
    assert hub.dispatch() == 0
    assert hub.agents_state()["kiosk-2"]["connected"] is True
    agent.disconnect(namespace="/printer")
    assert hub.agents_state()["kiosk-2"]["connected"] is False

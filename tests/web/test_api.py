"""Public API v1 through the Flask test client: answers and errors are JSON, never a 500."""
import pytest


def test_services_lists_the_catalogue(client):
    data = client.get("/api/v1/services").get_json()
    assert len(data["services"]) == 22
    ktp = next(s for s in data["services"] if s["code"] == "ktp")
    assert ktp["prefix"] == "A" and ktp["group_name"] == "Administrasi Kependudukan"
    assert ktp["sop_number"] == "065/SOP.01/406.07/2025" and len(ktp["steps"]) == 7


def test_issue_and_read_a_ticket(client):
    resp = client.post("/api/v1/tickets", json={"service": "ktp", "priority": False})
    assert resp.status_code == 201
    body = resp.get_json()
    assert {"id", "number", "service", "status", "position", "status_url"} <= set(body)
    assert body["number"] == "A001" and body["service"] == "ktp" and body["status"] == "waiting"
    assert resp.headers["Location"] == f"/api/v1/tickets/{body['id']}"
    again = client.get(f"/api/v1/tickets/{body['id']}").get_json()
    assert again["number"] == "A001"
    assert "public_id" not in again and "status_url" not in again  # ids can be counted through
    by_public = client.get(f"/api/v1/tickets/{body['public_id']}").get_json()
    assert by_public["status_url"] == body["status_url"]
    page = client.get(body["status_url"])
    assert page.status_code == 200 and b"A001" in page.data


@pytest.mark.parametrize("body, kwargs, code", [
    (None, {"data": "{not json", "content_type": "application/json"}, 400),
    (None, {"data": "service=ktp", "content_type": "application/x-www-form-urlencoded"}, 400),
    ([1, 2], {}, 400),
    ({"service": "paspor"}, {}, 404),
    ({"service": None}, {}, 404),
    ({"service": ["ktp"]}, {}, 404),
    ({"service": "ktp", "priority": "ya"}, {}, 400),
    ({"service": "ktp", "priority": True, "priority_reason": "vip"}, {}, 400),
    ({"service": "ktp", "nik": "3503124507540001"}, {}, 400),
])
def test_bad_requests_answer_json_4xx(client, body, kwargs, code):
    resp = client.post("/api/v1/tickets", json=body, **kwargs) if body is not None else client.post("/api/v1/tickets", **kwargs)
    assert resp.status_code == code
    assert isinstance(resp.get_json()["error"], str)


def test_unknown_ticket_and_route_answer_json_404(client):
    for url in ("/api/v1/tickets/999", "/api/v1/tickets/abc", "/api/v1/nothing"):
        resp = client.get(url)
        assert resp.status_code == 404 and "error" in resp.get_json()
    resp = client.delete("/api/v1/tickets/1")
    assert resp.status_code == 405 and "error" in resp.get_json()
    assert set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}  # what the client may send


def test_a_ticket_number_too_large_for_the_database_is_simply_not_found(client, app_staff):
    from antrean.shared.services.tokens import create_token

    huge = "9" * 30  # a 500 from the database driver before
    token = create_token(client.application.extensions["antrean"].sessions, "button", "api", "pelayanan1")
    staff = {"Authorization": f"Bearer {token}"}
    for url, kw in ((f"/api/v1/tickets/{huge}", {}), (f"/api/v1/tickets/{huge}/print", {}),
                    (f"/api/v1/staff/tickets/{huge}", {"headers": staff}),
                    (f"/api/v1/staff/lokets/{huge}/waiting", {"headers": staff})):
        resp = client.get(url, **kw)
        assert resp.status_code == 404 and resp.get_json()["code"] == "not_found", url
    for body in ({"loket": int(huge)}, {"loket": huge}, {"loket": -1}):
        resp = client.post("/api/v1/staff/call-next", json=body, headers=staff)
        assert resp.status_code == 404 and resp.get_json()["error"] == "Loket tidak ditemukan."
    resp = client.post(f"/api/v1/staff/tickets/{huge}/steps/2", json={}, headers=staff)
    assert resp.status_code == 404


def test_the_print_worker_prints_each_ticket_once(app, client, printer):
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    client.post("/api/v1/tickets", json={"service": "ktp", "priority": True, "priority_reason": "lansia"})
    worker = app.extensions["antrean.printer"]
    assert worker.run_due() == 2
    assert worker.run_due() == 0
    assert [s.number for s in printer.slips] == ["B001", "A001"]
    assert printer.slips[1].priority_label == "Prioritas: lansia"
    public_id = app.extensions["antrean"].staff_ticket(1)["public_id"]
    assert printer.slips[0].status_url.endswith(f"/kiosk/t/{public_id}")
    assert "Surat keterangan kematian pewaris" in printer.slips[0].documents


def test_a_printer_fault_keeps_the_ticket_and_prints_once_after_recovery(app, client, printer, clock):
    printer.fail = True
    resp = client.post("/api/v1/tickets", json={"service": "ktp"})
    assert resp.status_code == 201  # the ticket is issued at once
    worker = app.extensions["antrean.printer"]
    assert worker.run_due() == 0 and worker.last_error
    printer.fail = False
    assert worker.run_due() == 0  # not due yet: retried after a delay
    clock.advance(seconds=6)
    assert worker.run_due() == 1
    clock.advance(seconds=60)
    assert worker.run_due() == 0
    assert [s.number for s in printer.slips] == ["A001"]


def test_a_tms_decision_prints_a_slip_listing_the_missing_documents(app, client, printer, login):
    from antrean.hardware.agents.print_agent import slip_from_wire, slip_to_wire
    from antrean.hardware.layouts.notice import TmsNotice

    t = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    login("pelayanan2")
    client.post("/counter/call-next")
    client.post(f"/counter/tickets/{t['id']}/step", data={"step": 2, "name": "Sri", "nik": "3503124507540001"})
    client.post("/counter/logout")
    login("kasi")
    client.post(f"/counter/tickets/{t['id']}/step", data={
        "step": 3, "decision": "TMS", "missing": ["Surat keterangan kematian pewaris"], "note": "bawa yang asli"})
    worker = app.extensions["antrean.printer"]
    assert worker.run_due() == 2  # the queue ticket, then the TMS slip
    notice = printer.slips[1]
    assert isinstance(notice, TmsNotice) and notice.number == "B001"
    assert notice.missing == ("Surat keterangan kematian pewaris",) and notice.note == "bawa yang asli"
    data = printer.outputs[1]
    assert b"PENGEMBALIAN BERKAS (TMS)" in data and b"Surat keterangan kematian pewaris" in data
    assert b"\x1dV" in data and b"Sri" not in data and b"3503124507540001" not in data
    assert slip_from_wire(slip_to_wire(notice)) == notice  # the same slip can go to a print agent


def test_a_forged_host_header_changes_only_its_own_tickets_qr_code(app, client, printer):
    """Without ANTREAN_PUBLIC_URL each printed QR code starts with the address its kiosk used; a
    request with a forged Host header cannot redirect the codes printed for everyone after it."""
    client.post("/api/v1/tickets", json={"service": "ktp"}, base_url="http://192.168.1.10:5000")
    client.post("/api/v1/tickets", json={"service": "ktp"}, headers={"Host": "evil.example"})
    client.post("/api/v1/tickets", json={"service": "ktp"}, base_url="http://192.168.1.10:5000")
    worker = app.extensions["antrean.printer"]
    assert worker.run_due() == 3
    hosts = [slip.status_url.split("/kiosk/t/")[0] for slip in printer.slips]
    assert hosts == ["http://192.168.1.10:5000", "http://evil.example", "http://192.168.1.10:5000"]


def test_with_a_public_url_every_qr_code_uses_it(tmp_path, clock, printer):
    from antrean.shared.app import create_app

    app = create_app({"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "t",
                      "TESTING": True, "ALWAYS_OPEN": True, "PUBLIC_URL": "https://antrean.kampak.example"},
                     clock=clock, printer=printer, start_workers=False)
    client = app.test_client()
    client.post("/api/v1/tickets", json={"service": "ktp"}, headers={"Host": "evil.example"})
    app.extensions["antrean.printer"].run_due()
    assert printer.slips[0].status_url.startswith("https://antrean.kampak.example/kiosk/t/")
    app.extensions["antrean.engine"].dispose()


def test_a_reprint_uses_the_address_logged_in_staff_use_never_an_anonymous_one(app, client, printer, app_staff):
    staff = app.test_client()  # the clerk's browser, at the office's address
    assert staff.post("/counter/login", data={"username": "pelayanan1", "password": app_staff["pelayanan1"]},
                      base_url="http://192.168.1.10:5000").status_code == 302
    staff.get("/counter/", base_url="http://192.168.1.10:5000")
    t = client.post("/api/v1/tickets", json={"service": "ktp"}, headers={"Host": "evil.example"}).get_json()
    client.get("/counter/", headers={"Host": "evil.example"})  # anonymous: sets nothing
    worker = app.extensions["antrean.printer"]
    worker.run_due()
    assert staff.post(f"/counter/printing/tickets/{t['id']}/reprint", json={},
                      base_url="http://192.168.1.10:5000").status_code == 200
    worker.run_due()
    assert printer.slips[0].status_url.startswith("http://evil.example/")  # its own request's address
    assert printer.slips[1].status_url.startswith("http://192.168.1.10:5000/kiosk/t/")  # the reprint

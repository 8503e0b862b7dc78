"""Pages through the Flask test client: language, login, roles, no personal data in public."""
import re

from tests.support.factories import pickup_code_of


def test_pages_default_to_indonesian_and_switch_to_english(client):
    page = client.get("/kiosk/").get_data(as_text=True)
    assert "Silakan pilih layanan" in page and 'lang="id"' in page
    assert "Surat Keterangan Ahli Waris" in page and "Administrasi Kependudukan" in page
    page = client.get("/kiosk/?lang=en").get_data(as_text=True)
    assert "Please choose a service" in page and "Certificate of heirs" in page and 'lang="en"' in page
    assert "Civil Registration" in page
    assert "Please choose a service" in client.get("/kiosk/").get_data(as_text=True)  # remembered


def test_pages_load_nothing_from_the_internet(client):
    for url in ("/", "/kiosk/", "/display/", "/counter/login"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), url
    with client.get("/vendor/socket.io.min.js") as resp:
        assert resp.status_code == 200 and b"io" in resp.data
    assert client.get("/vendor/other.js").status_code == 404


def test_counter_needs_login(client):
    resp = client.get("/counter/")
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]
    assert client.post("/counter/call-next").status_code == 302


def test_wrong_password_is_refused(client, app_staff):
    page = client.post("/counter/login", data={"username": "kasi", "password": "salah"}).get_data(as_text=True)
    assert "Nama pengguna atau kata sandi salah" in page
    assert client.get("/counter/").status_code == 302


def test_counter_walks_a_ticket_and_shows_the_sop_steps(client, login):
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    login("pelayanan2")
    page = client.post("/counter/call-next", follow_redirects=True).get_data(as_text=True)
    assert 'data-ticket="B001"' in page and "Mengajukan permohonan penandatanganan" in page
    assert "standar 2 menit" in page  # the Mutu Baku of the current step
    page = client.post("/counter/tickets/1/step", follow_redirects=True,
                       data={"step": 2, "name": "Sri Wahyuni", "nik": "12"}).get_data(as_text=True)
    assert "NIK harus 16 angka." in page
    page = client.post("/counter/tickets/1/step", follow_redirects=True,
                       data={"step": 2, "name": "Sri Wahyuni", "nik": "3503124507540001"}).get_data(as_text=True)
    assert "Langkah 2 selesai untuk B001" in page
    assert "3503********0001" in page and "3503124507540001" not in page
    display = client.get("/display/state.json").get_data(as_text=True)
    assert "Sri" not in display and "3503" not in display


def test_the_kasi_sees_the_file_waiting_for_verification(client, login):
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    login("pelayanan2")
    client.post("/counter/call-next")
    client.post("/counter/tickets/1/step", data={"step": 2, "name": "Sri", "nik": "3503124507540001"})
    client.post("/counter/logout")
    login("kasi")
    page = client.get("/counter/").get_data(as_text=True)
    assert 'data-ticket="B001"' in page and 'name="decision" value="TMS"' in page
    assert "Surat keterangan kematian pewaris" in page  # the TMS checklist from the catalogue


def test_csrf_is_enforced_on_forms(app, app_staff):
    app.config["WTF_CSRF_ENABLED"] = True
    c = app.test_client()
    resp = c.post("/counter/login", data={"username": "kasi", "password": app_staff["kasi"]})
    assert resp.status_code == 400
    page = c.get("/counter/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = c.post("/counter/login", data={"username": "kasi", "password": app_staff["kasi"], "csrf_token": token})
    assert resp.status_code == 302


def test_display_socket_gets_a_snapshot_on_connect(app, client):
    from antrean.shared.realtime.hub import socketio

    client.post("/api/v1/tickets", json={"service": "ktp"})
    sio = socketio.test_client(app, namespace="/display")
    received = sio.get_received("/display")
    snapshot = next(r["args"][0] for r in received if r["name"] == "snapshot")
    assert snapshot["waiting"]["adminduk"] == 1
    sio.disconnect(namespace="/display")


def test_counter_socket_refuses_anonymous_and_accepts_staff(app, client, login):
    from antrean.shared.realtime.hub import socketio

    anon = socketio.test_client(app, namespace="/counter")
    assert not anon.is_connected("/counter")
    login("kasi")
    staff = socketio.test_client(app, namespace="/counter", flask_test_client=client)
    assert staff.is_connected("/counter")
    staff.disconnect(namespace="/counter")


def test_the_step_form_is_shown_only_to_the_steps_role(client, login):
    client.post("/api/v1/tickets", json={"service": "ahli_waris"})
    login("pelayanan2")
    client.post("/counter/loket", data={"loket_id": 2})
    page = client.post("/counter/call-next", follow_redirects=True).get_data(as_text=True)
    assert 'id="no-show"' in page and 'id="recall"' in page and 'data-step="2"' in page
    page = client.post("/counter/tickets/1/step", follow_redirects=True,
                       data={"step": 2, "name": "Sri", "nik": "3503124507540001"}).get_data(as_text=True)
    assert 'data-step="3"' not in page  # the Kasi verifies, not the front desk
    assert "Menunggu langkah 3 oleh Kasi Pelayanan dan Perizinan" in page


def test_no_show_and_transfer_from_the_screen(client, login):
    client.post("/api/v1/tickets", json={"service": "ktp"})
    login("pelayanan1")
    client.post("/counter/call-next")
    page = client.post("/counter/tickets/1/no-show", follow_redirects=True).get_data(as_text=True)
    assert "A001 tidak hadir: dikembalikan ke antrean" in page and 'data-waiting="A001"' in page
    client.post("/counter/tickets/1/call-chosen")
    page = client.post("/counter/tickets/1/transfer", data={"loket_id": 3}, follow_redirects=True).get_data(as_text=True)
    assert "A001 dialihkan" in page and 'data-waiting="A001"' not in page


def test_search_by_pickup_code(client, login, app):
    t = client.post("/api/v1/tickets", json={"service": "ktp"}).get_json()
    login("pelayanan1")
    client.post("/counter/call-next")
    code = pickup_code_of(app, t["id"])
    page = client.get(f"/counter/?q={code}").get_data(as_text=True)
    assert "Hasil pencarian" in page and 'data-ticket="A001"' in page
    page = client.get("/counter/?q=ZZZZZZ").get_data(as_text=True)
    assert "Tidak ada tiket terbuka" in page


def test_an_idle_staff_session_times_out(client, login, app):
    login("kasi")
    assert client.get("/counter/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] -= app.config["SESSION_MINUTES"] * 60 + 1
    resp = client.get("/counter/")
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]
    page = client.get("/counter/login").get_data(as_text=True)
    assert "Sesi berakhir" in page
    assert client.get("/counter/").status_code == 302


def test_counter_says_when_speech_is_unavailable(client, login):
    login("pelayanan1")
    page = client.get("/counter/").get_data(as_text=True)  # the app fixture starts no speech worker
    assert 'id="speech-fault"' in page and "Suara pengumuman tidak tersedia" in page


def test_serve_runs_gevent_with_the_quiet_handler(app, monkeypatch):
    """`antrean serve`: gevent's server without an access log, with the handler that formats no
    access-log line (tests/unit/test_serving.py)."""
    import logging

    from click.testing import CliRunner

    import antrean.shared.app
    import antrean.shared.cli.serving
    from antrean.shared.cli.main import cli
    from antrean.shared.cli.serving import NoDelayHandler
    from antrean.shared.realtime.hub import socketio

    made, ran = [], []
    monkeypatch.setattr(logging, "basicConfig", lambda **kw: None)  # the test run's logging stays
    monkeypatch.setattr(logging.getLogger("alembic"), "level", logging.getLogger("alembic").level)
    monkeypatch.setattr(antrean.shared.app, "create_app", lambda overrides=None: made.append(overrides) or app)
    monkeypatch.setattr(antrean.shared.cli.serving, "freeze_startup_objects", lambda: None)
    monkeypatch.setattr(socketio, "run", lambda *args, **kw: ran.append(kw))
    result = CliRunner().invoke(cli, ["serve", "--port", "5999"])
    assert result.exit_code == 0, result.output
    assert made == [{"ASYNC_MODE": "gevent"}]
    assert ran[0]["log_output"] is False and ran[0]["handler_class"] is NoDelayHandler

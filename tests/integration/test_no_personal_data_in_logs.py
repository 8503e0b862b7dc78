"""Names and NIKs never reach a log: a whole file walked from the kiosk to done (the applicant's
name, NIK, address and phone recorded at the counter, a refused NIK on the way, the staff API, the
register and its exports, the sockets of a display and a counter) with every logger at DEBUG; and
the same walk against a real `antrean serve`, whose own log is read afterwards."""
from __future__ import annotations

import base64
import logging

import pytest

from tests.support.clients import Staff
from tests.support.factories import issue, pickup_code_of
from tests.support.printed import printed_pickup_code

NAME = "Bambang Sutrisno Hadi"
NIK = "3503121708650002"
BAD_NIK = "35031217086500"  # 14 digits: refused
ADDRESS = "Dusun Krajan RT 02 RW 05, Desa Bendoagung"
PHONE = "081234567890"
COMPLAINT = "Pungutan liar oleh oknum di kantor desa Sukamaju"  # personal data: staff screens only
OUTCOME = "Oknum dipanggil dan diberi teguran tertulis oleh Camat"
SECRETS = [NAME, "Bambang", "Sutrisno", NIK, BAD_NIK, "170865", ADDRESS, "Krajan", PHONE, "Pungutan liar",
           "Sukamaju", "teguran tertulis"]
APPLICANT = {"name": NAME, "nik": NIK, "address": ADDRESS, "phone": PHONE}
WALK = [(3, "kasi", {"decision": "MS"}), (4, "register", {}), (5, "sekcam", {}), (6, "camat", {}),
        (7, "pelayanan2", {})]


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its message: keep both
            text = f"{record.msg} {record.args}"
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {record.levelname} {text}")


@pytest.fixture
def every_log():
    """Every logger, those made by libraries included (sqlalchemy, engineio, socketio, werkzeug,
    flask_limiter, ...), at DEBUG into one handler; restored afterwards."""
    handler = Everything()
    root = logging.getLogger()
    saved = {name: lg.level for name, lg in logging.root.manager.loggerDict.items()
             if isinstance(lg, logging.Logger)}
    saved_root = root.level
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm", "engineio.server", "socketio.server",
                 "werkzeug", "flask_limiter", "flask_wtf.csrf", "alembic"):
        logging.getLogger(name)
    for lg in logging.root.manager.loggerDict.values():
        if isinstance(lg, logging.Logger):
            lg.setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved_root)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def leaks(lines: list[str]) -> list[str]:
    return [line[:300] for line in lines if any(secret in line for secret in SECRETS)]


def test_a_whole_walk_logs_no_name_or_nik_even_at_debug(app, client, app_staff, login, every_log):
    from antrean.shared.realtime.hub import socketio

    clients = {u: login(u, app.test_client()) for u in ("pelayanan2", "kasi", "register", "sekcam", "camat")}
    display = socketio.test_client(app, namespace="/display")
    counter = socketio.test_client(app, namespace="/counter", flask_test_client=clients["kasi"])
    ticket = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    front = clients["pelayanan2"]
    front.post("/counter/call-next")
    refused = front.post(f"/counter/tickets/{ticket['id']}/step", follow_redirects=True,
                         data={"step": 2, **APPLICANT, "nik": BAD_NIK}).get_data(as_text=True)
    assert "NIK harus 16 angka." in refused
    done = front.post(f"/counter/tickets/{ticket['id']}/step", follow_redirects=True,
                      data={"step": 2, **APPLICANT}).get_data(as_text=True)
    assert "Langkah 2 selesai" in done
    for step, user, extra in WALK:
        if step == 7:
            extra = {**extra, "pickup_code": pickup_code_of(app, ticket["id"])}
        page = clients[user].post(f"/counter/tickets/{ticket['id']}/step", follow_redirects=True,
                                  data={"step": step, **extra}).get_data(as_text=True)
        assert "flash error" not in page, (step, user)
    assert client.get(f"/api/v1/tickets/{ticket['id']}").get_json()["status"] == "done"
    # the same through the staff API, with a refused NIK first
    basic = {"Authorization": "Basic " + base64.b64encode(f"pelayanan2:{app_staff['pelayanan2']}".encode()).decode()}
    second = client.post("/api/v1/tickets", json={"service": "ahli_waris"}).get_json()
    assert client.post("/api/v1/staff/call-next", json={"loket": 2}, headers=basic).status_code == 200
    bad = client.post(f"/api/v1/staff/tickets/{second['id']}/steps/2", headers=basic,
                      json={"applicant": {**APPLICANT, "nik": BAD_NIK}})
    assert bad.status_code == 400
    ok = client.post(f"/api/v1/staff/tickets/{second['id']}/steps/2", headers=basic, json={"applicant": APPLICANT})
    assert ok.status_code == 200
    # a complaint: its text at intake (and a refused NIK), its outcome at the Camat's decision
    complaint = client.post("/api/v1/tickets", json={"service": "pengaduan"}).get_json()
    clients["pelayanan2"].post("/counter/loket", data={"loket_id": 3})
    clients["pelayanan2"].post("/counter/call-next")
    intake = {"step": 2, "name": "", "nik": "", "decision": "MS", "channel": "langsung", "text": COMPLAINT}
    page = front.post(f"/counter/tickets/{complaint['id']}/step", data={**intake, "nik": BAD_NIK},
                      follow_redirects=True).get_data(as_text=True)
    assert "NIK harus 16 angka." in page
    page = front.post(f"/counter/tickets/{complaint['id']}/step", data=intake, follow_redirects=True).get_data(as_text=True)
    assert COMPLAINT in page  # on the staff's screen, by design
    for step, user, extra in [(3, "pengaduan", {}), (4, "sekcam", {}), (5, "camat", {"outcome": OUTCOME})]:
        helper = clients.get(user) or login(user, app.test_client())
        page = helper.post(f"/counter/tickets/{complaint['id']}/step", follow_redirects=True,
                           data={"step": step, **extra}).get_data(as_text=True)
        assert "flash error" not in page, (step, user)
    # the Kasi reads the register (names are on that page, by design) and exports it
    kasi = clients["kasi"]
    assert NAME in kasi.get("/counter/reports/register").get_data(as_text=True)
    assert kasi.post("/counter/reports/register", data={"q": NAME.split()[0]}).status_code == 200
    assert kasi.get("/counter/reports/export/register.csv").status_code == 200
    assert kasi.get("/counter/reports/export/register.xlsx").status_code == 200
    assert kasi.get(f"/counter/?q={ticket['number']}").status_code == 200
    display.emit("snapshot", callback=True, namespace="/display")
    display.disconnect(namespace="/display")
    counter.disconnect(namespace="/counter")

    assert len(every_log.lines) > 50, "logging was not captured"  # the SQL statements at least
    assert any("sqlalchemy.engine" in line for line in every_log.lines)
    assert leaks(every_log.lines) == []


def test_the_real_server_logs_no_name_or_nik(live_server):
    ticket = issue(live_server, "ahli_waris")
    staff = {u: Staff(live_server, u) for u in ("pelayanan2", "kasi", "register", "sekcam", "camat")}
    staff["pelayanan2"].post("/counter/call-next")
    page = staff["pelayanan2"].post(f"/counter/tickets/{ticket['id']}/step",
                                    data={"step": 2, **APPLICANT, "nik": BAD_NIK})
    assert "NIK harus 16 angka." in page
    staff["pelayanan2"].post(f"/counter/tickets/{ticket['id']}/step", data={"step": 2, **APPLICANT})
    for step, user, extra in WALK:
        if step == 7:
            extra = {**extra, "pickup_code": printed_pickup_code(live_server.tmp / "printed", ticket["number"])}
        page = staff[user].post(f"/counter/tickets/{ticket['id']}/step", data={"step": step, **extra})
        assert "flash error" not in page, (step, user)
    assert staff["kasi"].http.get(f"{live_server.url}/counter/reports/register").status_code == 200
    live_server.stop()
    log = live_server.log.read_text(errors="replace")
    assert "Antrean for" in log  # the server's own output is in this file
    assert leaks(log.splitlines()) == []

"""The server killed with SIGKILL in the middle of a working day, and started again on the same
SQLite database: nothing committed is lost, numbering goes on without duplicates or gaps, and the
display and counter clients reconnect by themselves and get the true state.

(tests/integration/test_live_server.py has the short form: a display resyncs after a restart.)
"""
from __future__ import annotations

import sqlite3
import threading
import time

import requests
import socketio

from tests.support.clients import DisplayClient, Staff
from tests.support.factories import APPLICANT


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class CounterClient:
    """The counter screen's Socket.IO connection, with the clerk's login cookie."""

    def __init__(self, server, staff: Staff):
        self.queues: list[dict] = []
        self.calls: list[dict] = []
        self.sio = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=0.5)
        self.sio.on("queue", self.queues.append, namespace="/counter")
        self.sio.on("call", self.calls.append, namespace="/counter")
        cookie = "; ".join(f"{c.name}={c.value}" for c in staff.http.cookies)
        self.sio.connect(server.url, namespaces=["/counter"], transports=["websocket"],
                         headers={"Cookie": cookie}, wait_timeout=10)

    def close(self):
        self.sio.disconnect()


class Display(DisplayClient):
    """A display client that follows adminduk's waiting count through its snapshots."""

    def __init__(self, url):
        self.waiting: list[int] = []  # adminduk's waiting count, from each snapshot
        super().__init__(url)
        self.sio.on("snapshot", self._snapshot, namespace="/display")

    def _snapshot(self, snap):
        self.snapshots.append(snap)
        self.waiting.append(snap["waiting"]["adminduk"])


def db_rows(server, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(server.tmp / "antrean.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_sigkill_mid_day_loses_nothing_and_clients_resync(live_server):
    front, kasi, register = (Staff(live_server, u) for u in ("pelayanan2", "kasi", "register"))
    # A file in the middle of its SOP: received with the applicant's data, verified MS, registered.
    first = requests.post(f"{live_server.url}/api/v1/tickets", json={"service": "ahli_waris"}, timeout=10).json()
    front.post("/counter/call-next")
    front.post(f"/counter/tickets/{first['id']}/step", data={"step": 2, **APPLICANT})
    kasi.post(f"/counter/tickets/{first['id']}/step", data={"step": 3, "decision": "MS"})
    register.post(f"/counter/tickets/{first['id']}/step", data={"step": 4})
    steps_before = db_rows(live_server, "SELECT number, user_id, finished_at, decision FROM ticket_steps "
                                        "WHERE ticket_id=? ORDER BY number", first["id"])
    assert [s[0] for s in steps_before] == [1, 2, 3, 4]
    agenda = db_rows(live_server, "SELECT agenda_number FROM tickets WHERE id=?", first["id"])[0][0]
    assert agenda

    display = Display(live_server.url)
    counter = CounterClient(live_server, Staff(live_server, "pelayanan1"))
    answered: list[str] = []
    stop = threading.Event()

    def kiosk():  # a kiosk tapping away while the server dies under it
        while not stop.is_set():
            try:
                resp = requests.post(f"{live_server.url}/api/v1/tickets", json={"service": "ktp"}, timeout=3)
            except requests.RequestException:
                time.sleep(0.05)
                continue
            if resp.status_code == 201:
                answered.append(resp.json()["number"])

    tapper = threading.Thread(target=kiosk)
    tapper.start()
    try:
        assert wait_for(lambda: len(answered) >= 15)
        snapshots, queues = len(display.snapshots), len(counter.queues)
        live_server.stop(kill=True)  # SIGKILL: no shutdown code runs
        assert live_server.proc.returncode == -9
        at_kill = len(answered)
        live_server.start()
        assert wait_for(lambda: len(answered) >= at_kill + 10)  # the kiosk is served again
    finally:
        stop.set()
        tapper.join()

    try:
        # Every ticket a kiosk was told about is there, once; the numbers have no hole and no twin.
        rows = db_rows(live_server, "SELECT number, seq FROM tickets WHERE prefix='A' ORDER BY seq")
        numbers = [r[0] for r in rows]
        assert len(answered) == len(set(answered)), "a number was given twice"
        assert set(answered) <= set(numbers)
        assert [r[1] for r in rows] == list(range(1, len(rows) + 1))
        last = db_rows(live_server, "SELECT last FROM sequences WHERE name='ticket:A'")[0][0]
        assert last == len(rows)
        orphans = db_rows(live_server, "SELECT count(*) FROM tickets t LEFT JOIN print_jobs p "
                                       "ON p.ticket_id=t.id AND p.kind='ticket' WHERE p.id IS NULL")[0][0]
        assert orphans == 0, "a ticket without its print job"
        # The file in progress kept every completed step, its agenda number and its place.
        assert db_rows(live_server, "SELECT number, user_id, finished_at, decision FROM ticket_steps "
                                    "WHERE ticket_id=? ORDER BY number", first["id"]) == steps_before
        status = requests.get(f"{live_server.url}/api/v1/tickets/{first['id']}", timeout=5).json()
        assert status["status"] == "in_progress" and status["current_step"]["number"] == 5
        page = Staff(live_server, "sekcam").http.get(f"{live_server.url}/counter/", timeout=5).text
        assert first["number"] in page  # the Sekcam's signature queue still holds it

        # Both clients came back by themselves with the true state...
        waiting = len(rows)  # every A ticket waits
        assert wait_for(lambda: len(display.snapshots) > snapshots and len(counter.queues) > queues)
        assert wait_for(lambda: display.waiting[-1] == waiting)
        assert wait_for(lambda: counter.queues[-1]["adminduk"] == waiting)
        # ... and receive live events again: a call made now reaches both.
        display.got_call.clear()
        page = Staff(live_server, "pelayanan1").post("/counter/call-next")
        assert 'data-ticket="A001"' in page
        assert display.got_call.wait(5) and display.calls[-1]["number"] == "A001"
        assert wait_for(lambda: any(c["number"] == "A001" for c in counter.calls))
    finally:
        display.close()
        counter.close()

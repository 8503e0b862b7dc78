"""A real `antrean serve` (gevent) on 127.0.0.1 with real python-socketio clients."""
import threading
import time

import pytest
import requests
import socketio

from tests.support.clients import DisplayClient, Staff
from tests.support.factories import APPLICANT, issue, walk_to_ready
from tests.support.factories import FAMILY_B_FORMS as FAMILY_B
from tests.support.live_server import wait_for
from tests.support.printed import printed_pickup_code


def test_issue_call_and_every_display_receives_the_call(live_server):
    displays = [DisplayClient(live_server.url) for _ in range(3)]
    try:
        ticket = issue(live_server, "ahli_waris")
        assert ticket["number"] == "B001"
        clerk = Staff(live_server, "pelayanan2")
        started = time.monotonic()
        page = clerk.post("/counter/call-next")
        assert 'data-ticket="B001"' in page
        for d in displays:
            assert d.got_call.wait(2), "a display did not receive the call"
            assert d.calls[0]["number"] == "B001" and d.calls[0]["loket_name"] == "Loket 2"
            assert d.snapshots, "no snapshot on connect"
        assert time.monotonic() - started < 2
    finally:
        for d in displays:
            d.close()


def test_a_display_gets_a_snapshot_when_documents_are_ready_and_none_for_steps_it_does_not_show(live_server):
    display = DisplayClient(live_server.url)
    try:
        ticket = issue(live_server, "ahli_waris")
        for _number in walk_to_ready(live_server, ticket):
            pass
        assert wait_for(lambda: display.snapshots[-1]["ready"] == ["B001"]), "the display was not told"
        # From the call on, a snapshot comes only when the screen changes: the call (Loket 2 serves
        # B001), the ticket leaving the desk for the back office ("Sedang dilayani" clears), the
        # letter ready. Verifying, registering and the Sekcam's and Camat's steps change nothing on
        # the screen: no snapshot. (A snapshot pending when the next change comes is sent once, with
        # both: the call's and the clearing one may arrive as one.)
        first = next(i for i, s in enumerate(display.snapshots) if s["recent"] and s["recent"][0]["number"] == "B001")
        shown = [([loket["serving"]["number"] for loket in s["lokets"] if loket["serving"]], s["ready"])
                 for s in display.snapshots[first:]]
        assert shown[-1] == ([], ["B001"]), shown
        assert all(view in ((["B001"], []), ([], []), ([], ["B001"])) for view in shown), shown
        assert all(a != b for a, b in zip(shown, shown[1:], strict=False)), shown  # each one shows a change
        assert "Sri" not in str(display.snapshots)
    finally:
        display.close()


def test_family_b_walked_to_done_by_four_roles_and_the_ticket_is_printed(live_server):
    ticket = issue(live_server, "ahli_waris", priority=True, priority_reason="lansia")
    staff = {u: Staff(live_server, u) for u in ("pelayanan2", "kasi", "register", "sekcam", "camat")}
    staff["pelayanan2"].post("/counter/call-next")
    for number, user, extra in FAMILY_B:
        data = {"step": number, **extra, **(APPLICANT if number == 2 else {})}
        if number == 7:  # the hand-over: the code on the printed ticket
            data["pickup_code"] = printed_pickup_code(live_server.tmp / "printed", "B001")
        page = staff[user].post(f"/counter/tickets/{ticket['id']}/step", data=data)
        assert "flash error" not in page, page[page.find("flash error") - 10: page.find("flash error") + 200]
    status = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}").json()
    assert status["status"] == "done" and status["current_step"] is None
    assert "Sri" not in str(status)
    # the ESC/POS ticket went to the file printer under the instance folder
    deadline = time.time() + 5
    printed = []
    while time.time() < deadline and not printed:
        printed = list((live_server.tmp / "printed").glob("B001-*"))
        time.sleep(0.1)
    assert printed, "the ticket was not printed"
    data = printed[0].read_bytes()
    assert b"B001" in data and b"\x1dV" in data  # the number, and a cut


def test_tms_ticket_is_returned_with_the_missing_documents(live_server):
    ticket = issue(live_server, "ahli_waris")
    front, kasi = Staff(live_server, "pelayanan2"), Staff(live_server, "kasi")
    front.post("/counter/call-next")
    front.post(f"/counter/tickets/{ticket['id']}/step", data={"step": 2, **APPLICANT})
    page = kasi.post(f"/counter/tickets/{ticket['id']}/step",
                     data={"step": 3, "decision": "TMS", "missing": "Surat keterangan kematian pewaris"})
    assert "TMS" in page
    status = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}").json()
    assert status["status"] == "returned"
    assert status["missing_documents"] == ["Surat keterangan kematian pewaris"]


def test_a_wrong_role_is_refused_over_http(live_server):
    ticket = issue(live_server, "ahli_waris")
    front = Staff(live_server, "pelayanan2")
    front.post("/counter/call-next")
    page = front.post(f"/counter/tickets/{ticket['id']}/step", data={"step": 3, "decision": "MS"})
    assert "flash error" in page
    status = requests.get(f"{live_server.url}/api/v1/tickets/{ticket['id']}").json()
    assert status["status"] == "called" and status["current_step"]["number"] == 1  # nothing was recorded


def test_ticket_status_follows_over_socketio(live_server):
    ticket = issue(live_server, "ktp")
    issue(live_server, "ktp")
    refreshed = threading.Event()
    sio = socketio.Client()
    sio.on("refresh", lambda _d: refreshed.set(), namespace="/ticket")
    sio.connect(live_server.url, namespaces=["/ticket"], transports=["websocket"])
    try:
        view = sio.call("follow", {"public_id": ticket["public_id"]}, namespace="/ticket", timeout=5)
        assert view["number"] == "A001" and view["status"] == "waiting"
        assert "applicant_name" not in view
        Staff(live_server, "pelayanan1").post("/counter/call-next")
        assert refreshed.wait(3)
        view = sio.call("follow", {"public_id": ticket["public_id"]}, namespace="/ticket", timeout=5)
        assert view["status"] == "called" and view["loket"] == "Loket 1"
        assert sio.call("follow", {"public_id": "nope"}, namespace="/ticket", timeout=5) == {"error": "not found"}
    finally:
        sio.disconnect()


def test_counter_namespace_refuses_anonymous_clients(live_server):
    sio = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live_server.url, namespaces=["/counter"], transports=["websocket"], wait_timeout=5)


def test_display_recovers_after_a_server_restart_with_the_true_state(live_server):
    display = DisplayClient(live_server.url)
    try:
        issue(live_server, "ktp")
        issue(live_server, "ktp")
        before = len(display.snapshots)
        live_server.stop(kill=True)
        live_server.start()
        deadline = time.time() + 10
        while time.time() < deadline and len(display.snapshots) == before:
            time.sleep(0.1)
        assert len(display.snapshots) > before, "the display did not reconnect"
        assert display.snapshots[-1]["waiting"]["adminduk"] == 2  # nothing lost
        assert issue(live_server, "ktp")["number"] == "A003"
    finally:
        display.close()

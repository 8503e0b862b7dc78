"""What the hub pushes after each change, through the Socket.IO test client: a display gets a new
snapshot only when what it shows changed; a phone following a ticket is asked to fetch it again
only when that ticket or the queue before it moved."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.factories import FAMILY_B_STEPS as FAMILY_B
from tests.support.factories import complete_steps as walk


@pytest.fixture
def desk(app, app_staff):
    return app.extensions["antrean"]


@pytest.fixture
def staff(desk):
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    with desk.sessions() as s:
        return {u.username: Actor.of(u) for u in s.scalars(select(User))}


def socket(app, namespace):
    from antrean.shared.realtime.hub import socketio

    return socketio.test_client(app, namespace=namespace)


def events(sio, namespace, name):
    return [r["args"][0] for r in sio.get_received(namespace) if r["name"] == name]


def test_a_display_gets_a_snapshot_when_what_it_shows_changed_and_only_then(app, desk, staff):
    display = socket(app, "/display")
    assert len(events(display, "/display", "snapshot")) == 1  # the full state on connect
    t = desk.issue_ticket("ahli_waris")  # the queue grew: a snapshot with the new count
    assert [s["waiting"]["surat_keterangan"] for s in events(display, "/display", "snapshot")] == [1]
    desk.call_next(staff["pelayanan2"])
    got = display.get_received("/display")
    assert [r["name"] for r in got] == ["call", "snapshot"]  # the call first, then the new state once
    snap = got[1]["args"][0]
    assert snap["recent"][0]["number"] == "B001" and snap["waiting"]["surat_keterangan"] == 0
    assert next(lk for lk in snap["lokets"] if lk["number"] == 2)["serving"]["number"] == "B001"

    # Receiving the file: nothing on the screen changes, so nothing is sent again (this used to send
    # the whole snapshot to every display).
    walk(desk, staff, t["id"], FAMILY_B[:1])
    assert display.get_received("/display") == []
    # Verified (MS): the applicant leaves the desk and the file goes on; Loket 2 serves nobody now.
    walk(desk, staff, t["id"], FAMILY_B[1:2])
    [snap] = events(display, "/display", "snapshot")
    assert next(lk for lk in snap["lokets"] if lk["number"] == 2)["serving"] is None
    # Registering it, the signature queues: nothing changes on the screen, nothing is sent.
    walk(desk, staff, t["id"], FAMILY_B[2:4])
    assert display.get_received("/display") == []
    # Signed by the Camat: the documents are ready, the display says so.
    walk(desk, staff, t["id"], FAMILY_B[4:5])
    assert [s["ready"] for s in events(display, "/display", "snapshot")] == [["B001"]]
    # Handed over: no longer waiting to be collected.
    walk(desk, staff, t["id"], FAMILY_B[5:6])
    assert [s["ready"] for s in events(display, "/display", "snapshot")] == [[]]
    display.disconnect(namespace="/display")


def test_a_display_that_connects_later_gets_the_state_and_the_next_change(app, desk, staff):
    first = socket(app, "/display")
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    walk(desk, staff, t["id"], FAMILY_B[:5])
    first.get_received("/display")
    later = socket(app, "/display")
    assert events(later, "/display", "snapshot")[0]["ready"] == ["B001"]
    walk(desk, staff, t["id"], FAMILY_B[5:6])
    for display in (first, later):
        assert [s["ready"] for s in events(display, "/display", "snapshot")] == [[]]
        display.disconnect(namespace="/display")


def test_lokets_changed_by_the_administrator_reach_the_displays(app, desk, staff):
    from antrean.shared.domain.events import Event
    from antrean.shared.store.models import Loket

    display = socket(app, "/display")
    display.get_received("/display")
    with desk.sessions.begin() as s:
        s.scalar(select(Loket).where(Loket.number == 2)).name = "Loket Surat"
    desk.events.publish(Event("lokets.changed", {"loket_id": 2}))
    names = [lk["name"] for lk in events(display, "/display", "snapshot")[0]["lokets"]]
    assert "Loket Surat" in names
    display.disconnect(namespace="/display")


def follow(app, ticket):
    phone = socket(app, "/ticket")
    view = phone.emit("follow", {"public_id": ticket["public_id"]}, namespace="/ticket", callback=True)
    assert view["number"] == ticket["number"]
    return phone


def refreshed(phone) -> int:
    return len(events(phone, "/ticket", "refresh"))


def test_phones_are_asked_to_refresh_only_when_their_ticket_or_the_queue_before_it_moved(app, desk, staff):
    desk.issue_ticket("ktp")  # adminduk: loket 1
    a2 = desk.issue_ticket("ktp")
    b1 = desk.issue_ticket("ahli_waris")  # surat_keterangan: loket 2
    phone_a2, phone_b1 = follow(app, a2), follow(app, b1)

    desk.issue_ticket("ktp")  # joins the end of the queue: nobody moves
    desk.issue_ticket("ahli_waris")
    assert (refreshed(phone_a2), refreshed(phone_b1)) == (0, 0)

    desk.call_next(staff["pelayanan1"])  # A001 is called: A002 moves up, B001 does not
    assert (refreshed(phone_a2), refreshed(phone_b1)) == (1, 0)
    assert phone_a2.emit("follow", {"public_id": a2["public_id"]}, namespace="/ticket",
                         callback=True)["position"] == 0

    desk.issue_ticket("ktp", priority=True, reason="lansia")  # goes ahead of A002
    assert (refreshed(phone_a2), refreshed(phone_b1)) == (1, 0)

    called = desk.call_next(staff["pelayanan2"])  # loket 2 serves surat_keterangan: B001 itself
    assert called["number"] == b1["number"]
    assert (refreshed(phone_a2), refreshed(phone_b1)) == (0, 1)  # once, though in both rooms
    for phone in (phone_a2, phone_b1):
        phone.disconnect(namespace="/ticket")


def test_issuing_with_no_display_connected_reads_no_snapshot(app, desk, monkeypatch):
    """The kiosk's path: no display open, no display snapshot read (one open: one read a change)."""
    reads = []
    real = desk.display_snapshot
    monkeypatch.setattr(desk, "display_snapshot", lambda *a, **kw: reads.append(1) or real(*a, **kw))
    for _ in range(3):
        desk.issue_ticket("ktp")
    assert reads == []
    display = socket(app, "/display")
    assert len(reads) == 1  # its own, on connect
    desk.issue_ticket("ktp")
    assert len(reads) == 2 and len(events(display, "/display", "snapshot")) == 2
    display.disconnect(namespace="/display")
    desk.issue_ticket("ktp")
    assert len(reads) == 2


def test_a_phone_follows_at_most_five_tickets_and_the_oldest_goes(app, desk, staff):
    """A bounded amount of work per connection (ANTREAN_SOCKET_FOLLOWS, default 5): a connection that
    follows a sixth ticket is no longer told when the first one moves."""
    b1 = desk.issue_ticket("ahli_waris")  # surat_keterangan: loket 2
    mine = [desk.issue_ticket("ktp") for _ in range(5)]  # adminduk: loket 1
    phone = socket(app, "/ticket")
    for ticket in (b1, *mine):
        assert phone.emit("follow", {"public_id": ticket["public_id"]}, namespace="/ticket",
                          callback=True)["number"] == ticket["number"]
    only_b1 = follow(app, b1)
    called = desk.call_next(staff["pelayanan2"])  # B001, the first ticket the phone followed
    assert called["number"] == b1["number"]
    assert (refreshed(phone), refreshed(only_b1)) == (0, 1)
    desk.call_next(staff["pelayanan1"])  # A001, one of the five it still follows
    assert refreshed(phone) == 1
    for p in (phone, only_b1):
        p.disconnect(namespace="/ticket")

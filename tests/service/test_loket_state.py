"""The loket holds its ticket (server state, not the browser's), a busy loket calls on only when the
clerk insists (audited), and a clerk is offered only the tickets one of their roles can take."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from antrean.shared.domain import queue
from antrean.shared.domain.queue import Waiting
from antrean.shared.services.desk import Actor, Conflict, LoketBusy
from antrean.shared.store.db import reading
from antrean.shared.store.models import AuditEntry, Ticket
from tests.support.factories import NIK, actor, complete_steps


def held(desk, who, loket=None):
    state = desk.loket_state(who, loket)
    return ([t["number"] for t in state["serving"]], [t["number"] for t in state["called"]])


def test_a_called_ticket_is_the_lokets_for_every_clerk_of_it_until_it_is_received_and_sent_on(desk, staff, clock):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    # another user of the same loket (another PC, a re-login: no session involved) sees it
    assert held(desk, staff["verifikasi"]) == ([], ["A001"])
    state = desk.loket_state(staff["pelayanan1"])
    assert state["loket"] == {"id": state["loket"]["id"], "number": 1, "name": "Loket 1", "groups": ["adminduk"]}
    assert state["called"][0]["status"] == "called" and "timer" in state["called"][0]  # the staff Ticket
    assert held(desk, staff["pelayanan2"]) == ([], [])  # loket 2 holds nothing

    clock.advance(minutes=1)
    desk.arrive(staff["pelayanan1"], t["id"])
    assert held(desk, staff["pelayanan1"]) == (["A001"], [])  # at the desk: being served
    clock.advance(minutes=2)
    desk.complete_step(staff["pelayanan1"], t["id"], 2, applicant={"name": "Budi", "nik": NIK})
    assert held(desk, staff["pelayanan1"]) == ([], [])  # the file went on to the back office


def test_a_ticket_called_back_for_pickup_is_held_until_handed_over_or_released(desk, staff, clock):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    view = complete_steps(desk, staff, t["id"], [(2, "pelayanan1", None), (3, "verifikasi", "MS"),
                                                (4, "register", None), (5, "kasi", None)])
    assert view["awaits_applicant"] and held(desk, staff["pelayanan1"]) == ([], [])  # ready, not called yet
    clock.advance(minutes=1)
    desk.recall(staff["pelayanan1"], view["id"], "pickup")
    assert held(desk, staff["pelayanan1"]) == (["A001"], [])
    with pytest.raises(LoketBusy):
        desk.call_next(staff["pelayanan1"])
    clock.advance(minutes=1)
    released = desk.return_to_queue(staff["pelayanan1"], view["id"])  # the applicant did not come yet
    assert released["status"] == "in_progress" and released["awaits_applicant"] and released["loket"] is None
    assert held(desk, staff["pelayanan1"]) == ([], [])


def test_calling_while_the_loket_holds_a_ticket_is_refused_and_changes_nothing(desk, staff, clock):
    a = desk.issue_ticket("ktp")
    b = desk.issue_ticket("ktp")
    clerk = staff["pelayanan1"]
    desk.call_next(clerk)
    clock.advance(minutes=1)
    for call in (lambda: desk.call_next(clerk), lambda: desk.call_ticket(clerk, b["id"])):
        with pytest.raises(LoketBusy) as refused:
            call()
        assert refused.value.code == "loket_busy" and refused.value.status == 409
        assert refused.value.held == [{"id": a["id"], "number": "A001", "status": "called", "held": "called",
                                       "returnable": True}]
    assert desk.staff_ticket(a["id"])["status"] == "called"
    assert desk.staff_ticket(b["id"])["status"] == "waiting"
    # arrived and being served: still busy
    desk.arrive(clerk, a["id"])
    with pytest.raises(LoketBusy):
        desk.call_next(clerk)
    # another loket is not concerned
    desk.issue_ticket("ahli_waris")
    assert desk.call_next(staff["pelayanan2"])["number"] == "B001"


def test_call_anyway_is_audited_with_who_when_and_the_ticket_left(desk, staff, clock):
    a = desk.issue_ticket("ktp")
    b = desk.issue_ticket("ktp")
    clerk = staff["pelayanan1"]
    desk.call_next(clerk)
    clock.advance(minutes=3)
    assert desk.call_next(clerk, force=True)["id"] == b["id"]
    # nothing is invisible: both are the loket's now
    assert held(desk, staff["verifikasi"]) == ([], ["A001", "A002"])
    with reading(desk.sessions) as s:
        left = s.scalars(select(AuditEntry).where(AuditEntry.action == "left_by_forced_call")).all()
        call = s.scalars(select(AuditEntry).where(AuditEntry.ticket_id == b["id"], AuditEntry.action == "call")).one()
    assert [(e.ticket_id, e.username, e.at, e.after["called_instead"], e.after["loket"]) for e in left] == [
        (a["id"], "pelayanan1", clock.now, "A002", 1)]
    assert call.after["forced"] is True and call.after["left"] == ["A001"]
    # a call on a free loket is not marked forced
    with reading(desk.sessions) as s:
        first = s.scalars(select(AuditEntry).where(AuditEntry.ticket_id == a["id"], AuditEntry.action == "call")).one()
    assert "forced" not in first.after


def test_return_to_the_queue_keeps_the_tickets_place(desk, staff, clock):
    a = desk.issue_ticket("ktp")
    clock.advance(minutes=1)
    desk.issue_ticket("ktp")
    clerk = staff["pelayanan1"]
    desk.call_next(clerk)
    clock.advance(minutes=5)
    back = desk.return_to_queue(clerk, a["id"])
    assert back["status"] == "waiting" and back["position"] == 0 and back["loket"] is None and back["recalls"] == 0
    assert held(desk, clerk) == ([], [])
    assert desk.call_next(clerk)["id"] == a["id"]
    desk.arrive(clerk, a["id"])
    with pytest.raises(Conflict) as refused:  # received: its step is finished, not undone
        desk.return_to_queue(clerk, a["id"])
    assert refused.value.code == "not_returnable"


# -- calling by role ---------------------------------------------------------------------------------


def test_loket_3_offers_tim_teknis_oss_and_never_a_complaint_for_the_petugas_pelayanan(desk, staff):
    complaint = desk.issue_ticket("pengaduan")
    oss = desk.issue_ticket("oss")
    teknis = staff["teknis"]
    assert [w["id"] for w in desk.waiting_list(teknis)] == [oss["id"]]
    assert desk.call_next(teknis)["id"] == oss["id"]
    desk.return_to_queue(teknis, oss["id"])
    desk.call_next(teknis)
    desk.complete_step(teknis, oss["id"], 2, decision="MS")
    assert desk.call_next(teknis) is None  # only the complaint waits: not his
    assert desk.waiting_list(staff["pengaduan"]) == []  # tim_pengaduan does step 3, not the intake
    pelayanan_at_3 = actor(staff, "petugas_pelayanan", 3)
    assert [w["id"] for w in desk.waiting_list(pelayanan_at_3)] == [complaint["id"]]
    assert desk.call_next(pelayanan_at_3)["id"] == complaint["id"]


def test_a_transferred_ticket_is_offered_only_to_a_clerk_who_can_take_it(desk, staff):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    desk.transfer(staff["pelayanan1"], t["id"], loket_id=3)
    assert desk.call_next(staff["teknis"]) is None
    assert desk.call_next(actor(staff, "petugas_pelayanan", 3))["id"] == t["id"]


def test_a_clerk_with_two_roles_is_offered_both(desk, staff):
    desk.issue_ticket("pengaduan")
    desk.issue_ticket("oss")
    both = Actor(staff["teknis"].user_id, "teknis", frozenset({"tim_teknis", "petugas_pelayanan"}), 3)
    assert [w["service"] for w in desk.waiting_list(both)] == ["pengaduan", "oss"]


def test_who_can_take_a_step_and_where_they_sit(desk, staff):
    desks = desk.role_desks()
    assert desks["petugas_pelayanan"] == ["Loket 1", "Loket 2"]
    assert desks["tim_teknis"] == ["Loket 3"]
    assert "camat" not in desks  # no loket


def test_the_calling_order_by_role_is_the_domains_in_sql_too(desk, staff, clock, catalogue):
    """``domain.queue.calling_order`` over plain values and the loket's list in SQL agree."""
    for code, priority in [("oss", False), ("pengaduan", True), ("oss", True), ("pengaduan", False), ("oss", False)]:
        desk.issue_ticket(code, priority=priority)
        clock.advance(seconds=30)
    desk.issue_ticket("ektp")  # another loket's
    complaint = desk.issue_ticket("pengaduan")
    desk.call_next(actor(staff, "petugas_pelayanan", 1), loket_id=3)  # the first complaint, priority
    desk.transfer(staff["pelayanan1"], complaint["id"], loket_id=3)
    with reading(desk.sessions) as s:
        rows = s.scalars(select(Ticket).where(Ticket.status == "waiting", Ticket.group.in_(["perizinan", "pengaduan"]))).all()
        plain = [Waiting(t.id, t.priority, t.current_since,
                         actor=queue.desk_step(catalogue.service(t.service_code).steps).actor,
                         transferred=t.loket_id is not None) for t in rows]
    for roles in ({"tim_teknis"}, {"petugas_pelayanan"}, {"tim_teknis", "petugas_pelayanan"}, {"camat"}):
        who = Actor(staff["teknis"].user_id, "x", frozenset(roles), 3)
        expected = [w.id for w in queue.calling_order("priority_first", plain, roles)]
        assert [w["id"] for w in desk.waiting_list(who)] == expected, roles
    assert [w.id for w in queue.calling_order("priority_first", plain)][0] == complaint["id"]

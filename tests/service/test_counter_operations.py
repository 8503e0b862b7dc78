"""Front-desk operations: call rules, recall, no-show, transfer, calling a chosen ticket, search."""
import pytest
from sqlalchemy import select

from antrean.shared.services.desk import Conflict, OperationError
from antrean.shared.store.models import AuditEntry, Setting
from tests.support.factories import pickup_code_of


def set_setting(sessions, key, value):
    with sessions() as s, s.begin():
        s.merge(Setting(key=key, value=value))


def test_no_show_goes_back_to_the_end_of_the_queue_once_then_is_dropped(desk, staff, clock):
    a = desk.issue_ticket("ktp")
    b = desk.issue_ticket("ktp")
    clerk = staff["pelayanan1"]
    assert desk.call_next(clerk)["id"] == a["id"]
    clock.advance(minutes=2)
    view = desk.no_show(clerk, a["id"])
    assert view["status"] == "waiting" and view["recalls"] == 1
    assert desk.get_ticket(a["id"])["position"] == 1  # behind B, who waited since before
    assert desk.call_next(clerk)["id"] == b["id"]
    assert desk.call_next(clerk)["id"] == a["id"]
    clock.advance(minutes=2)
    assert desk.no_show(clerk, a["id"])["status"] == "no_show"
    assert desk.call_next(clerk) is None


def test_the_number_of_requeues_is_configurable(desk, staff, sessions):
    set_setting(sessions, "no_show_requeues", 0)
    a = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    assert desk.no_show(staff["pelayanan1"], a["id"])["status"] == "no_show"


def test_no_show_only_for_a_called_ticket(desk, staff):
    a = desk.issue_ticket("ktp")
    with pytest.raises(Conflict):
        desk.no_show(staff["pelayanan1"], a["id"])
    desk.call_next(staff["pelayanan1"])
    desk.arrive(staff["pelayanan1"], a["id"])
    with pytest.raises(Conflict):
        desk.no_show(staff["pelayanan1"], a["id"])


def test_fifo_rule_ignores_priority(desk, staff, sessions):
    first = desk.issue_ticket("ahli_waris")
    desk.issue_ticket("ahli_waris", priority=True, reason="lansia")
    set_setting(sessions, "call_rule", "fifo")
    assert desk.call_next(staff["pelayanan2"])["id"] == first["id"]


def test_transfer_to_a_loket_puts_the_ticket_first_in_that_lokets_queue(desk, staff):
    desk.issue_ticket("oss")
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    view = desk.transfer(staff["pelayanan1"], t["id"], loket_id=3)
    assert view["status"] == "waiting" and view["loket"] == "Loket 3"
    assert desk.call_next(staff["pelayanan1"]) is None  # loket 1 no longer sees it
    assert desk.call_next(staff["teknis"])["id"] == t["id"]  # first at loket 3


def test_transfer_to_another_service_keeps_the_number_and_takes_the_new_flow(desk, staff):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    view = desk.transfer(staff["pelayanan1"], t["id"], service="ahli_waris")
    assert view["number"] == "A001" and view["service"] == "ahli_waris" and view["group"] == "surat_keterangan"
    assert view["steps_total"] == 8
    assert desk.call_next(staff["pelayanan2"])["id"] == t["id"]


def test_transfer_after_work_started_is_refused(desk, staff):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    desk.complete_step(staff["pelayanan1"], t["id"], 2, applicant={"name": "Budi", "nik": "3503124507540001"})
    with pytest.raises(Conflict):
        desk.transfer(staff["pelayanan1"], t["id"], loket_id=2)
    with pytest.raises(OperationError):
        desk.transfer(staff["pelayanan1"], t["id"])


def test_call_a_chosen_ticket(desk, staff):
    desk.issue_ticket("ktp")
    chosen = desk.issue_ticket("kk")
    waiting = desk.waiting_list(staff["pelayanan1"])
    assert [w["number"] for w in waiting] == ["A001", "A002"]
    assert desk.call_ticket(staff["pelayanan1"], chosen["id"])["number"] == "A002"
    with pytest.raises(Conflict):
        desk.call_ticket(staff["pelayanan1"], chosen["id"])


def test_recall_and_pickup(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    with pytest.raises(Conflict):
        desk.recall(staff["pelayanan2"], t["id"])
    desk.call_next(staff["pelayanan2"])
    assert desk.recall(staff["pelayanan2"], t["id"])["kind"] == "recall"
    with pytest.raises(Conflict):  # nothing to collect yet
        desk.recall(staff["pelayanan2"], t["id"], "pickup")


def test_find_by_number_or_pickup_code_across_days(desk, staff, clock, sessions):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    clock.advance(days=1)
    desk.issue_ticket("ahli_waris")  # today's B001
    found = desk.find_tickets("b001")
    assert len(found) == 2
    code = pickup_code_of(desk, t["id"])
    assert [f["id"] for f in desk.find_tickets(code.lower())] == [t["id"]]
    assert desk.find_tickets("") == []


def test_every_counter_action_is_audited_without_personal_data(desk, staff, sessions):
    t = desk.issue_ticket("ktp")
    clerk = staff["pelayanan1"]
    desk.call_next(clerk)
    desk.recall(clerk, t["id"])
    desk.no_show(clerk, t["id"])
    desk.call_next(clerk)
    desk.arrive(clerk, t["id"])
    desk.complete_step(clerk, t["id"], 2, applicant={"name": "Budi Santoso", "nik": "3503124507540001"})
    with sessions() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [r.action for r in rows] == ["call", "recall", "no_show", "call", "arrive", "step:receive"]
    assert all(r.username == "pelayanan1" and r.role for r in rows)
    assert rows[-1].before["step"] == 2 and rows[-1].after["step"] == 3
    assert "Budi" not in repr([(r.before, r.after) for r in rows])


def test_the_audit_trail_is_append_only(desk, staff, sessions):
    desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    with sessions() as s:
        row = s.scalars(select(AuditEntry)).first()
        row.action = "edited"
        with pytest.raises(Exception, match="append-only"):
            s.commit()
    with sessions() as s:
        s.delete(s.scalars(select(AuditEntry)).first())
        with pytest.raises(Exception, match="append-only"):
            s.commit()


def test_staff_ticket_times_are_in_the_office_time_zone(desk, staff, clock):
    """The counter screen's step timer starts from ``since``: the office's clock time, with its offset."""
    t = desk.issue_ticket("ahli_waris")
    clock.advance(minutes=5)
    desk.call_next(staff["pelayanan2"])
    view = desk.staff_ticket(t["id"])
    assert view["created_at"] == "2026-11-24T08:00:00+07:00"  # 01:00 UTC
    assert view["since"] == "2026-11-24T08:05:00+07:00"  # called five minutes later

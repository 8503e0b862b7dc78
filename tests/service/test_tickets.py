"""Issuing, numbering, calling and walking tickets through the service layer (SQLite, fake clock)."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from antrean.shared.services.desk import Conflict, NotFound, OperationError
from antrean.shared.store.models import AuditEntry, PrintJob, Ticket, TicketStep
from tests.support.factories import FAMILY_B_STEPS as FAMILY_B
from tests.support.factories import complete_steps as walk
from tests.support.factories import make_desk, pickup_code_of


def test_issue_numbers_per_prefix_and_positions(desk):
    a1 = desk.issue_ticket("ktp")
    a2 = desk.issue_ticket("kk")
    b1 = desk.issue_ticket("ahli_waris")
    assert (a1["number"], a2["number"], b1["number"]) == ("A001", "A002", "B001")
    assert (a1["position"], desk.get_ticket(a2["id"])["position"], b1["position"]) == (0, 1, 0)
    assert a1["status"] == "waiting" and a1["status_url"].startswith("/kiosk/t/")
    assert len(a1["public_id"]) >= 20  # unguessable
    assert "applicant_name" not in a1 and "applicant_nik" not in a1


def test_priority_ticket_goes_ahead_and_reason_is_recorded(desk, sessions):
    desk.issue_ticket("ahli_waris")
    p = desk.issue_ticket("ahli_waris", priority=True, reason="lansia")
    assert p["position"] == 0 and p["priority"]
    with sessions() as s:
        assert s.get(Ticket, p["id"]).priority_reason == "lansia"
    with pytest.raises(OperationError):
        desk.issue_ticket("ahli_waris", priority=True, reason="vip")


def test_unknown_service_and_bad_priority(desk):
    with pytest.raises(NotFound):
        desk.issue_ticket("paspor")
    with pytest.raises(OperationError):
        desk.issue_ticket("ktp", priority="yes")


def test_numbers_reset_at_local_midnight_and_yesterdays_ticket_keeps_its_place(desk, clock, staff):
    first = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    clock.advance(hours=15, minutes=59)  # 23:59 WIB
    assert desk.issue_ticket("ahli_waris")["number"] == "B002"
    clock.advance(minutes=1)  # 00:00 WIB: a new office day
    assert desk.issue_ticket("ahli_waris")["number"] == "B001"
    assert desk.get_ticket(first["id"])["status"] == "called"  # yesterday's ticket keeps its state


def test_past_999_the_number_widens(desk, sessions):
    from antrean.shared.store.models import Sequence

    with sessions() as s, s.begin():
        s.add(Sequence(name="ticket:A", period="2026-11-24", last=999))
    assert desk.issue_ticket("ktp")["number"] == "A1000"


def test_a_print_job_is_written_with_the_ticket(desk, sessions):
    t = desk.issue_ticket("ktp")
    with sessions() as s:
        job = s.scalar(select(PrintJob).where(PrintJob.ticket_id == t["id"]))
        assert job.status == "pending"


def test_family_b_ticket_to_done_with_agenda_number_and_audit(desk, staff, sessions, clock):
    t = desk.issue_ticket("ahli_waris")
    called = desk.call_next(staff["pelayanan2"])
    assert called["number"] == "B001" and called["loket"] == "Loket 2"
    for number, user, decision in FAMILY_B:
        clock.advance(minutes=1)
        kw = {"applicant": {"name": "Sri Wahyuni", "nik": "3503124507540001"}} if number == 2 else {}
        if number == 7:  # the hand-over: the applicant shows the ticket's pickup code
            kw["pickup_code"] = pickup_code_of(desk, t["id"])
        view = desk.complete_step(staff[user], t["id"], number, decision=decision, **kw)
    assert view["status"] == "done"
    assert view["agenda_number"] == "474/001/406.07/2026"
    assert view["applicant_nik"] == "3503********0001"
    assert all(s["state"] == "done" for s in view["steps"])
    with sessions() as s:
        steps = s.scalars(select(TicketStep).where(TicketStep.ticket_id == t["id"])).all()
        assert [st.number for st in steps] == list(range(1, 9))
        assert {st.number: st.role for st in steps}[6] == "camat"
        audit = s.scalars(select(AuditEntry).where(AuditEntry.ticket_id == t["id"])).all()
        assert [a.action for a in audit][0] == "call" and len(audit) == 7
        for a in audit:  # no personal data in the audit trail
            assert "Sri" not in str(a.before) + str(a.after)
            assert "3503124507540001" not in str(a.before) + str(a.after)


def test_agenda_numbers_run_per_code_per_year(desk, staff, clock):
    numbers = []
    for _ in range(2):
        t = desk.issue_ticket("ahli_waris")
        desk.call_next(staff["pelayanan2"])
        view = walk(desk, staff, t["id"], FAMILY_B[:3])
        numbers.append(view["agenda_number"])
    assert numbers == ["474/001/406.07/2026", "474/002/406.07/2026"]


def test_tms_ends_the_ticket_as_returned(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    walk(desk, staff, t["id"], [(2, "pelayanan2", None)])
    view = desk.complete_step(staff["kasi"], t["id"], 3, decision="TMS",
                              missing=["Surat keterangan kematian pewaris"], note="bawa aslinya")
    assert view["status"] == "returned"
    assert view["missing_documents"] == ["Surat keterangan kematian pewaris"]
    public = desk.get_ticket(t["id"])
    assert public["missing_documents"] == ["Surat keterangan kematian pewaris"]
    with pytest.raises(Conflict):
        desk.complete_step(staff["register"], t["id"], 4)


def test_tms_with_an_unknown_document_is_refused_and_changes_nothing(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    walk(desk, staff, t["id"], [(2, "pelayanan2", None)])
    with pytest.raises(OperationError, match="unknown documents"):
        desk.complete_step(staff["kasi"], t["id"], 3, decision="TMS", missing=["Paspor"])
    assert desk.staff_ticket(t["id"])["current_step"]["number"] == 3


def test_receive_checks_the_nik(desk, staff):
    t = desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan1"])
    with pytest.raises(OperationError, match="NIK harus 16 angka"):
        desk.complete_step(staff["pelayanan1"], t["id"], 2, applicant={"name": "Budi", "nik": "12345"})
    with pytest.raises(OperationError, match="Nama pemohon wajib"):
        desk.complete_step(staff["pelayanan1"], t["id"], 2, applicant={"name": " ", "nik": "3503124507540001"})
    view = desk.complete_step(staff["pelayanan1"], t["id"], 2, applicant={"name": "Budi", "nik": "3503 1245 0754 0001"})
    assert view["current_step"]["number"] == 3


def test_wrong_role_is_refused(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    walk(desk, staff, t["id"], FAMILY_B[:4])
    with pytest.raises(Conflict, match="Camat"):
        desk.complete_step(staff["kasi"], t["id"], 6)
    with pytest.raises(Conflict):
        desk.complete_step(staff["pelayanan2"], t["id"], 6)


def test_call_next_serves_the_lokets_groups_priority_first(desk, staff):
    desk.issue_ticket("ahli_waris")
    a = desk.issue_ticket("ktp")
    p = desk.issue_ticket("ahli_waris", priority=True, reason="disabilitas")
    assert desk.call_next(staff["pelayanan1"])["id"] == a["id"]  # loket 1: adminduk only
    assert desk.call_next(staff["pelayanan2"])["id"] == p["id"]
    assert desk.call_next(staff["pelayanan1"]) is None


def test_work_queue_shows_files_waiting_for_the_users_role(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    walk(desk, staff, t["id"], FAMILY_B[:4])
    assert [x["number"] for x in desk.work_queue(staff["camat"])] == ["B001"]
    assert desk.work_queue(staff["sekcam"]) == []


def test_display_snapshot_and_ready_list(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.issue_ticket("ktp")
    desk.call_next(staff["pelayanan2"])
    snap = desk.display_snapshot()
    assert snap["waiting"]["adminduk"] == 1 and snap["waiting"]["surat_keterangan"] == 0
    loket2 = next(lk for lk in snap["lokets"] if lk["number"] == 2)
    assert loket2["serving"]["number"] == "B001"
    assert snap["recent"][0]["number"] == "B001"
    walk(desk, staff, t["id"], FAMILY_B[:5])
    assert desk.display_snapshot()["ready"] == ["B001"]
    assert "Sri" not in str(desk.display_snapshot())


def test_restart_loses_nothing(db_url, catalogue, clock, staff):
    from antrean.shared.store.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    d1 = make_desk(make_sessionmaker(engine), catalogue, clock)
    t = d1.issue_ticket("ahli_waris")
    d1.call_next(staff["pelayanan2"])
    walk(d1, staff, t["id"], FAMILY_B[:3])
    engine.dispose()
    d2 = make_desk(make_sessionmaker(make_engine(db_url)), catalogue, clock)
    view = d2.staff_ticket(t["id"])
    assert view["current_step"]["number"] == 5 and view["agenda_number"]
    assert d2.issue_ticket("ahli_waris")["number"] == "B002"


def issue_concurrently(desk, n_threads=20, total=900, service="ktp"):
    barrier = threading.Barrier(n_threads)

    def worker(count):
        barrier.wait()
        return [desk.issue_ticket(service)["number"] for _ in range(count)]

    per = [total // n_threads + (1 if i < total % n_threads else 0) for i in range(n_threads)]
    with ThreadPoolExecutor(n_threads) as pool:
        return [n for chunk in pool.map(worker, per) for n in chunk]


def test_twenty_kiosks_at_once_never_share_a_number_sqlite(desk):
    numbers = issue_concurrently(desk)
    assert len(numbers) == 900 and len(set(numbers)) == 900
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 901)]


@pytest.mark.postgres
def test_twenty_kiosks_at_once_never_share_a_number_postgres(pg_url, catalogue, clock):
    from antrean.shared.store.db import make_engine, make_sessionmaker

    engine = make_engine(pg_url)
    desk = make_desk(make_sessionmaker(engine), catalogue, clock)
    numbers = issue_concurrently(desk)
    engine.dispose()
    assert len(set(numbers)) == 900
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 901)]


def call_next_concurrently(desk, actors, n_tickets):
    for _ in range(n_tickets):
        desk.issue_ticket("ktp")
    barrier = threading.Barrier(len(actors))

    def worker(actor):
        barrier.wait()
        got = []
        while (t := desk.call_next(actor)) is not None:
            got.append(t["id"])
        return got

    with ThreadPoolExecutor(len(actors)) as pool:
        return [i for chunk in pool.map(worker, actors) for i in chunk]


def _clerks(staff, n=6):
    from antrean.shared.services.desk import Actor

    base = staff["pelayanan1"]
    return [Actor(base.user_id, base.username, base.roles, base.loket_id) for _ in range(n)]


def test_clerks_pressing_call_next_together_never_get_the_same_ticket_sqlite(desk, staff):
    ids = call_next_concurrently(desk, _clerks(staff), 60)
    assert len(ids) == 60 and len(set(ids)) == 60


@pytest.mark.postgres
def test_clerks_pressing_call_next_together_never_get_the_same_ticket_postgres(pg_url, catalogue, clock):
    from antrean.shared.services.demo import create_demo
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.db import make_engine, make_sessionmaker
    from antrean.shared.store.models import User

    engine = make_engine(pg_url)
    sessions = make_sessionmaker(engine)
    create_demo(sessions)
    with sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    desk = make_desk(sessions, catalogue, clock)
    ids = call_next_concurrently(desk, _clerks(staff), 60)
    engine.dispose()
    assert len(ids) == 60 and len(set(ids)) == 60

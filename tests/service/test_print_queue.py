"""The printer outbox: claims, leases, faults and the staff events, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from antrean.hardware.printer import PrinterError, RecordingPrinter
from antrean.shared.services import print_queue
from antrean.shared.services.print_worker import PrintWorker
from antrean.shared.store.models import PrintJob
from tests.support.factories import make_desk
from tests.support.fakes import fast_hash


@pytest.fixture(params=["sqlite", "postgresql"])
def any_desk(request, catalogue, clock):
    from antrean.shared.store.db import make_engine, make_sessionmaker

    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    engine = make_engine(url)
    desk = make_desk(make_sessionmaker(engine), catalogue, clock)
    yield desk
    engine.dispose()


def worker_for(desk, printer=None) -> PrintWorker:
    worker = PrintWorker(desk, printer or RecordingPrinter(), public_url=lambda: "http://kantor")
    desk.events.subscribe("ticket.issued", worker.wake)
    return worker


def job_rows(desk) -> list[tuple[str, str, int]]:
    with desk.sessions() as s:
        return [(j.ticket.number, j.status, j.attempts) for j in s.query(PrintJob).order_by(PrintJob.id)]


def test_each_ticket_prints_once_in_order_with_what_the_kiosk_showed(any_desk):
    printer = RecordingPrinter()
    worker = worker_for(any_desk, printer)
    events = []
    any_desk.events.subscribe("printer.printed", events.append)
    shown = [any_desk.issue_ticket(code) for code in ("ktp", "ahli_waris", "ktp")]
    assert worker.run_due() == 3 and worker.run_due() == 0
    assert [s.number for s in printer.slips] == ["A001", "B001", "A002"]
    assert [s.people_ahead for s in printer.slips] == [v["position"] for v in shown]
    assert printer.slips[1].status_url == "http://kantor" + shown[1]["status_url"]
    assert printer.slips[1].pickup_code and "Surat keterangan kematian pewaris" in printer.slips[1].documents
    assert [(e.payload["number"], e.payload["status"], e.payload["attempts"]) for e in events] == [
        ("A001", "printed", 1), ("B001", "printed", 1), ("A002", "printed", 1)]
    first = events[0].payload
    assert first["service_name"] == shown[0]["service_name"] and first["target"] is None
    assert first["printed_at"].endswith("+07:00") and first["next_try_at"] is None and first["error"] is None
    assert job_rows(any_desk) == [("A001", "printed", 1), ("B001", "printed", 1), ("A002", "printed", 1)]


def test_a_claimed_job_is_nobody_elses_until_its_lease_ends(any_desk, clock):
    """A second worker (another server process) never takes a claimed job; a worker that died
    leaves its jobs to be printed after the lease, once."""
    any_desk.issue_ticket("ktp")
    any_desk.issue_ticket("ktp")
    taken = print_queue.claim_due(any_desk)  # this worker then dies without printing
    assert [c.ticket.number for c in taken] == ["A001", "A002"]
    other = worker_for(any_desk)
    assert other.run_due() == 0
    clock.advance(seconds=print_queue.LEASE_SECONDS - 1)
    assert other.run_due() == 0
    clock.advance(seconds=2)
    assert other.run_due() == 2 and other.run_due() == 0
    assert [s.number for s in other.printer.slips] == ["A001", "A002"]
    # The dead worker's late "printed" counts once more as a try; the ticket was printed, not lost.
    assert print_queue.finish(any_desk, taken[0].job, None) is None  # printed already: not claimed


def test_a_fault_mid_batch_leaves_the_rest_waiting_in_order(any_desk, clock):
    class FailsSecond(RecordingPrinter):
        def print_slip(self, slip):
            if slip.number == "A002" and self.fail_once:
                self.fail_once = False
                raise PrinterError("paper out")
            super().print_slip(slip)

    printer = FailsSecond()
    printer.fail_once = True
    worker = worker_for(any_desk, printer)
    faults = []
    any_desk.events.subscribe("printer.fault", faults.append)
    for _ in range(4):
        any_desk.issue_ticket("ktp")
    assert worker.run_due() == 1 and worker.last_error == "paper out"
    assert faults[0].payload["number"] == "A002" and faults[0].payload["error"] == "paper out"
    # The job that failed waits for its back-off; the two not tried are not held by a lease.
    assert job_rows(any_desk) == [("A001", "printed", 1), ("A002", "pending", 1),
                                  ("A003", "pending", 0), ("A004", "pending", 0)]
    assert worker.run_due() == 2  # A003, A004 are due now; A002 after its back-off
    clock.advance(seconds=6)
    assert worker.run_due() == 1 and worker.last_error is None
    assert [s.number for s in printer.slips] == ["A001", "A003", "A004", "A002"]


def test_reprints_and_tms_slips_are_laid_out_from_the_ticket(any_desk):
    from sqlalchemy import select

    from antrean.shared.services.demo import create_demo
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    create_demo(any_desk.sessions, hasher=fast_hash)
    with any_desk.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    printer = RecordingPrinter()
    worker = worker_for(any_desk, printer)
    t = any_desk.issue_ticket("ahli_waris")
    any_desk.issue_ticket("ahli_waris")
    worker.run_due()
    print_queue.reprint(any_desk, staff["pelayanan1"], t["id"])
    any_desk.call_next(staff["pelayanan2"])
    any_desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant={"name": "Sri", "nik": "3503124507540001"})
    any_desk.complete_step(staff["kasi"], t["id"], 3, decision="TMS", missing=["Surat keterangan kematian pewaris"])
    assert worker.run_due() == 2
    reprint, notice = printer.slips[2:]
    assert reprint.number == "B001" and reprint.pickup_code == printer.slips[0].pickup_code
    assert reprint.people_ahead == 0 and reprint.status_url == printer.slips[0].status_url
    assert notice.number == "B001" and notice.missing == ("Surat keterangan kematian pewaris",)


def test_a_slow_printer_gives_back_what_it_could_not_print_within_half_the_lease(any_desk):
    import time

    class Slow(RecordingPrinter):
        def print_slip(self, slip):
            time.sleep(0.3)
            super().print_slip(slip)

    worker = PrintWorker(any_desk, Slow(), public_url=lambda: "", lease_seconds=0.4)
    for _ in range(3):
        any_desk.issue_ticket("ktp")
    assert worker.run_due() == 1  # 0.3 s of the 0.4 s lease gone: A002 and A003 are given back
    assert job_rows(any_desk) == [("A001", "printed", 1), ("A002", "pending", 0), ("A003", "pending", 0)]
    assert worker.run_due() == 1 and worker.run_due() == 1
    assert [s.number for s in worker.printer.slips] == ["A001", "A002", "A003"]


def test_two_server_processes_print_each_ticket_once(any_desk, catalogue, clock):
    """Two workers with connections of their own (as two server processes) drain one queue together."""
    import threading

    from antrean.shared.store.db import make_engine, make_sessionmaker

    for i in range(60):
        any_desk.issue_ticket(("ktp", "ahli_waris", "sktm")[i % 3])
    url = any_desk.sessions.kw["bind"].url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(2)]
    workers = [PrintWorker(make_desk(make_sessionmaker(e), catalogue, clock), RecordingPrinter(),
                           public_url=lambda: "", batch=7) for e in engines]
    errors = []

    def drain(worker):
        try:
            while worker.run_due():  # 0: nothing due that the other one has not taken
                pass
        except Exception as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    printed = [s.number for w in workers for s in w.printer.slips]
    assert errors == [] and len(printed) == 60 and len(set(printed)) == 60
    assert {status for _, status, _ in job_rows(any_desk)} == {"printed"}

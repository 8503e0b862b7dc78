"""The display tells the truth: "Sedang dilayani" holds only the tickets being served now, the last
calls hold one row per number, and only a hand-over of a finished result is a pickup ("Dokumen siap
diambil"); every call says what it is for."""
import pytest

from antrean.shared.services.desk import Conflict
from antrean.shared.store.models import Ticket
from tests.support.factories import FAMILY_B_STEPS as FAMILY_B
from tests.support.factories import NIK, actor, complete_steps


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each rule on SQLite and on PostgreSQL (the snapshot's window queries differ in their planners)."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    from antrean.shared.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'antrean.db'}"
    upgrade(url)
    return url


@pytest.fixture
def walk(clock):
    """complete_steps, a minute between steps (a call made after a step is later than it)."""
    def walk(desk, staff, ticket_id, steps):
        for step in steps:
            clock.advance(minutes=1)
            complete_steps(desk, staff, ticket_id, [step])
    return walk


def serving(desk, loket):
    lk = next(lk for lk in desk.display_snapshot()["lokets"] if lk["number"] == loket)
    return lk["serving"]["number"] if lk["serving"] else None


def recent(desk):
    return [(c["number"], c["kind"]) for c in desk.display_snapshot()["recent"]]


@pytest.fixture
def called(desk, staff):
    """B001 called at Loket 2."""
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    assert serving(desk, 2) == "B001"
    return t


# -- now serving clears --------------------------------------------------------------------------

def test_now_serving_clears_when_the_ticket_is_done(desk, staff, walk, called):
    walk(desk, staff, called["id"], FAMILY_B[:2])  # received, verified MS: the applicant leaves the desk
    assert serving(desk, 2) is None
    walk(desk, staff, called["id"], FAMILY_B[2:5])
    desk.recall(staff["pelayanan2"], called["id"], "pickup")  # back for the signed letter
    assert serving(desk, 2) == "B001"
    walk(desk, staff, called["id"], FAMILY_B[5:])  # handed over: done
    assert desk.staff_ticket(called["id"])["status"] == "done"
    assert serving(desk, 2) is None


def test_now_serving_clears_on_a_transfer(desk, staff, called):
    desk.transfer(staff["pelayanan2"], called["id"], loket_id=3)
    assert serving(desk, 2) is None and serving(desk, 3) is None  # waiting again, at Loket 3's queue


def test_now_serving_clears_on_a_no_show(desk, staff, called):
    assert desk.no_show(staff["pelayanan2"], called["id"])["status"] == "waiting"  # back in the queue
    assert serving(desk, 2) is None
    desk.call_next(staff["pelayanan2"])
    assert serving(desk, 2) == "B001"
    assert desk.no_show(staff["pelayanan2"], called["id"])["status"] == "no_show"  # dropped
    assert serving(desk, 2) is None


def test_now_serving_clears_on_tms(desk, staff, walk, called):
    walk(desk, staff, called["id"], FAMILY_B[:1])
    assert serving(desk, 2) == "B001"  # at the desk until the decision
    missing = desk.catalogue.service("ahli_waris").requirements[:1]
    desk.complete_step(staff["kasi"], called["id"], 3, decision="TMS", missing=missing)
    assert serving(desk, 2) is None


def test_now_serving_clears_on_cancel(desk, staff, called, sessions):
    # No service cancels a ticket yet; whatever cancels one, the display reads its status.
    with sessions() as s, s.begin():
        s.get(Ticket, called["id"]).status = "cancelled"
    assert serving(desk, 2) is None


def test_a_loket_shows_only_its_newest_call_while_it_serves_it(desk, staff, walk):
    first = desk.issue_ticket("ahli_waris")
    desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    walk(desk, staff, first["id"], FAMILY_B[:2])  # B001 goes on to the back office
    assert serving(desk, 2) is None
    desk.call_next(staff["pelayanan2"])
    assert serving(desk, 2) == "B002"
    walk(desk, staff, first["id"], FAMILY_B[2:5])  # B001 signed: ready, but nobody called it yet
    assert serving(desk, 2) == "B002"
    assert desk.display_snapshot()["ready"] == ["B001"]


def test_a_file_ready_for_pickup_is_not_served_before_it_is_called(desk, staff, walk, called):
    walk(desk, staff, called["id"], FAMILY_B[:5])
    assert serving(desk, 2) is None and desk.display_snapshot()["ready"] == ["B001"]


# -- one row per number in the last calls ---------------------------------------------------------

def test_repeated_calls_of_one_number_take_one_row_marked_with_the_newest_kind(desk, staff, walk, called):
    other = desk.issue_ticket("ahli_waris")
    desk.call_ticket(staff["pelayanan2"], other["id"], force=True)  # B001 stays called
    desk.recall(staff["pelayanan2"], called["id"])
    desk.recall(staff["pelayanan2"], called["id"])
    assert recent(desk) == [("B001", "recall"), ("B002", "call")]
    walk(desk, staff, called["id"], FAMILY_B[:5])
    desk.recall(staff["pelayanan2"], called["id"], "pickup")
    assert recent(desk) == [("B001", "pickup"), ("B002", "call")]
    row = desk.display_snapshot()["recent"][0]
    assert row["purpose"] == "pengambilan surat" and row["purpose_en"] == "collecting the letter"


def test_the_last_calls_are_the_last_eight_numbers(desk, staff):
    for _ in range(10):
        desk.issue_ticket("ktp")
    ids = [desk.call_next(staff["pelayanan1"], force=True)["id"] for _ in range(10)]
    for i in ids[:5]:
        desk.recall(staff["pelayanan1"], i)
    numbers = [n for n, _kind in recent(desk)]
    assert len(numbers) == len(set(numbers)) == 8
    assert numbers[:5] == ["A005", "A004", "A003", "A002", "A001"]  # the recalls are the newest calls


# -- the e-KTP recording is an in-person call, the hand-over a pickup -----------------------------

def walk_ektp_to_recording(desk, staff, clock):
    t = desk.issue_ticket("ektp")
    clerk = actor(staff, "petugas_pelayanan", 1)
    desk.call_next(clerk)
    desk.complete_step(clerk, t["id"], 2, applicant={"name": "Sri Wahyuni", "nik": NIK})
    desk.complete_step(actor(staff, "petugas_verifikasi", 1), t["id"], 3, decision="MS")
    desk.complete_step(actor(staff, "petugas_register"), t["id"], 4)
    desk.complete_step(actor(staff, "kasi_pelayanan"), t["id"], 5)
    return t, clerk


def test_the_e_ktp_recording_calls_for_the_recording_and_is_not_a_document_ready(desk, staff, clock):
    t, clerk = walk_ektp_to_recording(desk, staff, clock)
    view = desk.staff_ticket(t["id"])
    assert view["awaits_applicant"] and not view["ready"]
    assert view["call_kind"] == "in_person" and view["call_purpose"] == "perekaman e-KTP"  # the clerk's button
    assert desk.display_snapshot()["ready"] == []
    assert desk.get_ticket(t["id"])["ready"] is False  # the phone does not say "dokumen siap" either
    assert desk.get_ticket(t["id"])["called_for"] is None  # not wanted at the loket yet
    # the clerk's "call the applicant back" button: the step decides what kind of call it is
    call = desk.recall(clerk, t["id"], "pickup")
    assert call["kind"] == "in_person" and call["purpose"] == "perekaman e-KTP"
    # the phone says where to go and what for ("Silakan menuju Loket 1 untuk perekaman e-KTP.")
    assert desk.get_ticket(t["id"])["called_for"] == "perekaman e-KTP"
    snap = desk.display_snapshot()
    assert snap["ready"] == [] and snap["recent"][0]["kind"] == "in_person"
    assert snap["recent"][0]["purpose"] == "perekaman e-KTP"
    assert serving(desk, 1) == "A001"
    # recorded: the recommendation is handed over next; now it is a document ready
    clock.advance(minutes=5)
    desk.complete_step(clerk, t["id"], 6)
    assert desk.display_snapshot()["ready"] == ["A001"] and desk.get_ticket(t["id"])["ready"] is True
    assert desk.get_ticket(t["id"])["called_for"] is None  # the recording call is over
    assert serving(desk, 1) is None  # not served until called to collect it
    clock.advance(minutes=3)
    pickup = desk.recall(clerk, t["id"], "pickup")
    assert pickup["kind"] == "pickup" and pickup["purpose"] == "pengambilan rekomendasi"
    assert serving(desk, 1) == "A001"
    complete_steps(desk, staff, t["id"], [(7, "pelayanan1", None)])  # the hand-over (with its code where asked)
    assert desk.staff_ticket(t["id"])["status"] == "done"
    snap = desk.display_snapshot()
    assert snap["ready"] == [] and serving(desk, 1) is None


def test_a_pickup_call_is_refused_while_the_step_does_not_call_the_applicant(desk, staff, walk, called):
    walk(desk, staff, called["id"], FAMILY_B[:3])  # at the Sekcam's step
    with pytest.raises(Conflict) as err:
        desk.recall(staff["pelayanan2"], called["id"], "pickup")
    assert err.value.code == "not_awaiting_applicant"


def test_oss_calls_the_applicant_to_collect_the_nib(desk, staff, clock):
    t = desk.issue_ticket("oss")
    teknis = actor(staff, "tim_teknis", 3)
    desk.call_next(teknis)
    desk.complete_step(teknis, t["id"], 2, decision="MS")
    desk.complete_step(actor(staff, "kasi_pelayanan"), t["id"], 3)
    desk.complete_step(actor(staff, "pengolah_data"), t["id"], 4)
    assert desk.display_snapshot()["ready"] == ["C001"]
    call = desk.recall(teknis, t["id"], "pickup")
    assert call["kind"] == "pickup" and call["purpose"] == "pengambilan sertifikat NIB"
    complete_steps(desk, staff, t["id"], [(5, "teknis", None)])  # the hand-over of the NIB
    view = desk.staff_ticket(t["id"])
    assert view["status"] == "done" and [st["state"] for st in view["steps"]] == ["done"] * 6

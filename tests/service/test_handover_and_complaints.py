"""A letter is handed over only against its pickup code (or a clerk's audited waiver), and a complaint
is taken as the Pengaduan SOP has it: anonymous if the applicant wishes, with its text and channel at
intake, its outcome (berita acara) at the decision and a searchable SP4N-LAPOR! number."""
import json

import pytest
from sqlalchemy import select

from antrean.shared.domain.handover import MAX_WRONG_CODES
from antrean.shared.services.desk import Conflict, OperationError
from antrean.shared.store.models import AuditEntry, Ticket, TicketStep
from tests.support.factories import COMPLAINT, FAMILY_B_STEPS, actor, complete_steps, make_desk, pickup_code_of
from tests.support.fakes import fast_hash


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request, catalogue, clock):
    """(desk, staff) over SQLite or PostgreSQL."""
    from antrean.shared.services.demo import create_demo
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.db import make_engine, make_sessionmaker
    from antrean.shared.store.models import User

    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    engine = make_engine(url)
    desk = make_desk(make_sessionmaker(engine), catalogue, clock)
    create_demo(desk.sessions, hasher=fast_hash)
    with desk.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    yield desk, staff
    engine.dispose()


def at_hand_over(desk, staff):
    """An Ahli Waris ticket signed by the Camat: step 7 (the hand-over) is next."""
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    complete_steps(desk, staff, t["id"], FAMILY_B_STEPS[:-1])
    assert desk.staff_ticket(t["id"])["current_step"]["number"] == 7
    return t


def audit_of(sessions, ticket_id, action):
    with sessions() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.ticket_id == ticket_id, AuditEntry.action == action)
                         .order_by(AuditEntry.id)).all()


def test_no_staff_view_shows_the_pickup_code(desk, staff):
    t = at_hand_over(desk, staff)
    code = pickup_code_of(desk, t["id"])
    view = desk.staff_ticket(t["id"])
    assert view["pickup_code"] is None and code not in json.dumps(view)
    assert view["handover"] == {"wrong_codes": 0, "attempts_left": MAX_WRONG_CODES, "code_locked": False}


def test_hand_over_without_a_code_is_refused_and_nothing_changes(desk, staff, sessions):
    t = at_hand_over(desk, staff)
    with pytest.raises(OperationError, match="Minta kode pengambilan") as refused:
        desk.complete_step(staff["pelayanan2"], t["id"], 7)
    assert refused.value.code == "pickup_code_required"
    view = desk.staff_ticket(t["id"])
    assert view["status"] == "in_progress" and view["current_step"]["number"] == 7
    assert audit_of(sessions, t["id"], "handover:wrong_code") == []


def test_a_wrong_code_is_refused_recorded_as_an_attempt_and_the_right_one_then_hands_over(desk, staff, sessions):
    t = at_hand_over(desk, staff)
    with pytest.raises(Conflict, match="Kode pengambilan salah") as refused:
        desk.complete_step(staff["pelayanan2"], t["id"], 7, pickup_code="AAAAAA")
    assert refused.value.status == 409 and refused.value.code == "pickup_code_wrong"
    view = desk.staff_ticket(t["id"])
    assert view["status"] == "in_progress" and view["current_step"]["number"] == 7  # nothing handed over
    assert view["handover"]["wrong_codes"] == 1 and view["handover"]["attempts_left"] == MAX_WRONG_CODES - 1
    with sessions() as s:
        assert 7 not in {st.number for st in s.scalars(select(TicketStep).where(TicketStep.ticket_id == t["id"]))}
    [attempt] = audit_of(sessions, t["id"], "handover:wrong_code")
    assert attempt.username == "pelayanan2" and "AAAAAA" not in json.dumps([attempt.before, attempt.after])
    code = pickup_code_of(desk, t["id"])
    view = desk.complete_step(staff["pelayanan2"], t["id"], 7, pickup_code=f" {code.lower()[:3]} {code.lower()[3:]} ")
    assert view["status"] == "done" and view["handover"] is None


def test_wrong_codes_are_limited_then_only_a_waiver_hands_over(desk, staff, sessions):
    t = at_hand_over(desk, staff)
    code = pickup_code_of(desk, t["id"])
    for _ in range(MAX_WRONG_CODES):
        with pytest.raises(Conflict, match="Kode pengambilan salah"):
            desk.complete_step(staff["pelayanan2"], t["id"], 7, pickup_code="WRONG1")
    assert desk.staff_ticket(t["id"])["handover"]["code_locked"] is True
    with pytest.raises(Conflict, match="tidak diterima lagi") as locked:
        desk.complete_step(staff["pelayanan2"], t["id"], 7, pickup_code=code)  # even the right one
    assert locked.value.code == "pickup_code_locked"
    assert len(audit_of(sessions, t["id"], "handover:wrong_code")) == MAX_WRONG_CODES
    view = desk.complete_step(staff["pelayanan2"], t["id"], 7, waiver="Kode salah berkali-kali; KTP pemohon dicek")
    assert view["status"] == "done"


def test_a_waiver_needs_a_reason_and_is_audited_with_who_when_and_why(desk, staff, sessions, clock):
    t = at_hand_over(desk, staff)
    with pytest.raises(OperationError, match="terlalu singkat") as refused:
        desk.complete_step(staff["pelayanan2"], t["id"], 7, waiver="hilang")
    assert refused.value.code == "waiver_reason"
    assert desk.staff_ticket(t["id"])["current_step"]["number"] == 7
    clock.advance(minutes=2)
    reason = "Tiket hilang, identitas dicek dengan KTP 3503124507540001"
    view = desk.complete_step(staff["pelayanan2"], t["id"], 7, waiver=reason)
    assert view["status"] == "done"
    [waiver] = audit_of(sessions, t["id"], "handover:waiver")
    assert waiver.username == "pelayanan2" and waiver.user_id == staff["pelayanan2"].user_id
    assert waiver.at == clock.now
    assert waiver.after["reason"] == "Tiket hilang, identitas dicek dengan KTP [NIK]"  # no NIK in the trail
    with sessions() as s:
        step7 = s.scalar(select(TicketStep).where(TicketStep.ticket_id == t["id"], TicketStep.number == 7))
        assert "tanpa kode pengambilan" in step7.note and "3503124507540001" not in step7.note


def test_the_code_is_asked_only_at_a_hand_over(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    view = complete_steps(desk, staff, t["id"], FAMILY_B_STEPS[:2])
    assert view["current_step"]["number"] == 4 and view["handover"] is None


# -- complaints ------------------------------------------------------------------------------


def take_complaint(desk, staff, **complaint):
    t = desk.issue_ticket("pengaduan")
    desk.call_next(actor(staff, "petugas_pelayanan", 3))
    return t


def test_an_anonymous_complaint_is_taken_with_its_text_and_channel(desk, staff, sessions):
    t = take_complaint(desk, staff)
    view = desk.complete_step(actor(staff, "petugas_pelayanan", 3), t["id"], 2, decision="MS",
                              applicant={"name": "", "nik": ""},
                              complaint={"channel": "telepon", "text": COMPLAINT["text"], "lapor_number": "#4421 907"})
    assert view["status"] == "in_progress" and view["current_step"]["number"] == 3
    assert view["anonymous"] is True and view["applicant_name"] is None and view["applicant_nik"] == ""
    assert view["complaint"] == {"channel": "telepon", "channel_name": "Telepon", "text": COMPLAINT["text"],
                                 "outcome": None, "lapor_number": "4421907"}
    with sessions() as s:
        row = s.get(Ticket, t["id"])
        assert row.applicant_nik is None and row.complaint_channel == "telepon"
        trail = json.dumps([[a.before, a.after] for a in s.scalars(select(AuditEntry))])
    assert "Lampu jalan" not in trail  # the complaint is personal data: not in the audit trail
    public = desk.get_ticket(t["id"])
    assert "Lampu jalan" not in json.dumps(public) and "complaint" not in public


def test_a_complaint_needs_its_text_and_channel_and_a_typed_nik_is_still_checked(desk, staff):
    t = take_complaint(desk, staff)
    clerk = actor(staff, "petugas_pelayanan", 3)
    for complaint, code in [({"channel": "telepon"}, "complaint_required"),
                            ({"text": COMPLAINT["text"]}, "bad_channel"),
                            ({"channel": "surel", "text": COMPLAINT["text"]}, "bad_channel"),
                            ({"channel": "langsung", "text": COMPLAINT["text"], "lapor_number": "1/2"}, "bad_lapor_number"),
                            (None, "bad_channel")]:
        with pytest.raises(OperationError) as refused:
            desk.complete_step(clerk, t["id"], 2, decision="MS", complaint=complaint)
        assert refused.value.code == code
    with pytest.raises(OperationError, match="nol semua"):
        desk.complete_step(clerk, t["id"], 2, decision="MS", applicant={"name": "", "nik": "0000000000000000"},
                           complaint=COMPLAINT)
    assert desk.staff_ticket(t["id"])["status"] == "called"  # nothing recorded
    view = desk.complete_step(clerk, t["id"], 2, decision="MS", applicant={"name": "Siti", "nik": "3503124507540001"},
                              complaint={"channel": "langsung", "text": COMPLAINT["text"]})
    assert view["applicant_name"] == "Siti" and view["applicant_nik"] == "3503********0001"


def test_other_services_still_require_name_and_a_plausible_nik(desk, staff):
    t = desk.issue_ticket("ahli_waris")
    desk.call_next(staff["pelayanan2"])
    with pytest.raises(OperationError, match="Nama pemohon wajib"):
        desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant={"name": "", "nik": ""})
    with pytest.raises(OperationError, match="kode provinsi"):
        desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant={"name": "Sri", "nik": "9903124507540001"})
    with pytest.raises(OperationError, match="Tanggal lahir"):
        desk.complete_step(staff["pelayanan2"], t["id"], 2, applicant={"name": "Sri", "nik": "3503123202540001"})


def walk_complaint_to_decision(desk, staff, clock):
    t = take_complaint(desk, staff)
    desk.complete_step(actor(staff, "petugas_pelayanan", 3), t["id"], 2, decision="MS", complaint=COMPLAINT)
    for number, role in ((3, "tim_pengaduan"), (4, "sekcam")):
        clock.advance(minutes=3)
        desk.complete_step(actor(staff, role), t["id"], number)
    return t


def test_the_outcome_is_recorded_at_the_decision_and_the_lapor_number_is_searchable(desk, staff, clock):
    t = walk_complaint_to_decision(desk, staff, clock)
    with pytest.raises(OperationError, match="berita acara") as refused:
        desk.complete_step(actor(staff, "camat"), t["id"], 5)
    assert refused.value.code == "outcome_required"
    view = desk.complete_step(actor(staff, "camat"), t["id"], 5,
                              complaint={"outcome": COMPLAINT["outcome"], "lapor_number": "lpr-2026-0042"})
    assert view["complaint"]["outcome"] == COMPLAINT["outcome"] and view["complaint"]["text"] == COMPLAINT["text"]
    assert view["current_step"]["number"] == 6
    assert [f["id"] for f in desk.find_tickets("LPR-2026-0042")] == [t["id"]]
    assert [f["id"] for f in desk.find_tickets(" #lpr-2026-0042 ")] == [t["id"]]
    # the result is handed to the complainant against the code, like a letter
    view = desk.complete_step(actor(staff, "tim_pengaduan"), t["id"], 6, pickup_code=pickup_code_of(desk, t["id"]))
    assert view["status"] == "done"
    assert [f["id"] for f in desk.find_tickets("LPR-2026-0042")] == [t["id"]]  # closed complaints too
    assert desk.find_tickets("LPR-2026-0043") == []


def test_wrong_codes_are_kept_and_counted_on_either_database(office):
    """The refusal commits its audit entry (the step itself is not stored) on SQLite and PostgreSQL;
    the count is read back from the trail by every later attempt."""
    desk, staff = office
    t = at_hand_over(desk, staff)
    for typed in ("AAAAAA", "CCCCCC"):
        with pytest.raises(Conflict, match="Kode pengambilan salah"):
            desk.complete_step(staff["pelayanan2"], t["id"], 7, pickup_code=typed)
    assert desk.staff_ticket(t["id"])["handover"]["wrong_codes"] == 2
    assert len(audit_of(desk.sessions, t["id"], "handover:wrong_code")) == 2
    view = desk.complete_step(staff["pelayanan2"], t["id"], 7, pickup_code=pickup_code_of(desk, t["id"]))
    assert view["status"] == "done"
    with desk.sessions() as s:
        assert sorted(st.number for st in s.scalars(select(TicketStep).where(TicketStep.ticket_id == t["id"]))) \
            == list(range(1, 9))

"""The ticket workflow on its own: no app, no database."""
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antrean.shared.domain.catalogue import ROLES, load_catalogue
from antrean.shared.domain.workflow import (
    BadDecision,
    Status,
    TicketClosed,
    TicketFlow,
    TimeWentBack,
    WrongRole,
    WrongStep,
)

CAT = load_catalogue()
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def flow(code="ahli_waris"):
    f = TicketFlow(CAT.service(code).steps)
    f.issue(T0)
    return f


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def test_family_b_walk_to_done_records_who_when_and_minutes():
    f = flow()
    f.call(at(3))
    assert f.status is Status.CALLED and f.current_step == 1 and f.records == []
    f.arrive(at(3.5))
    assert f.status is Status.IN_PROGRESS and f.current_step == 2
    assert f.records[0].number == 1 and f.records[0].actor == "pemohon"
    f.complete(2, {"petugas_pelayanan"}, 11, at(4))
    f.complete(3, {"kasi_pelayanan"}, 12, at(12), decision="MS")
    f.complete(4, {"petugas_register"}, 13, at(13))
    f.complete(5, {"sekcam"}, 14, at(14))
    f.complete(6, {"camat"}, 15, at(60 * 24))
    records = f.complete(7, {"petugas_pelayanan"}, 11, at(60 * 24 + 30))
    assert f.status is Status.DONE
    assert [r.number for r in f.records] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [r.number for r in records] == [7, 8]  # the applicant receives with the hand-over
    verify = f.records[2]
    assert verify.decision == "MS" and verify.user_id == 12 and verify.role == "kasi_pelayanan"
    assert verify.minutes == 8 and verify.standard_minutes == 5 and not verify.within_standard
    assert f.records[1].within_standard  # 1 minute against 2


def test_tms_returns_the_file_with_missing_documents():
    f = flow()
    f.call(at(1))
    f.complete(2, {"petugas_pelayanan"}, 1, at(2))
    f.complete(3, {"kasi_pelayanan"}, 2, at(3), decision="TMS", missing=["KTP"])
    assert f.status is Status.RETURNED and f.closed
    assert f.records[-1].missing == ("KTP",)
    with pytest.raises(TicketClosed):
        f.complete(4, {"petugas_register"}, 3, at(4))


def test_tms_needs_a_reason_and_ms_takes_no_missing_documents():
    f = flow()
    f.call(at(1))
    f.complete(2, {"petugas_pelayanan"}, 1, at(2))
    with pytest.raises(BadDecision):
        f.complete(3, {"kasi_pelayanan"}, 2, at(3), decision="TMS")
    with pytest.raises(BadDecision):
        f.complete(3, {"kasi_pelayanan"}, 2, at(3))
    with pytest.raises(BadDecision):
        f.complete(3, {"kasi_pelayanan"}, 2, at(3), decision="MS", missing=["KTP"])
    g = flow()
    g.call(at(1))
    with pytest.raises(BadDecision, match="not the MS/TMS decision"):
        g.complete(2, {"petugas_pelayanan"}, 1, at(2), decision="MS")


def test_a_role_cannot_do_another_roles_step():
    f = flow()
    f.call(at(1))
    with pytest.raises(WrongRole, match="Petugas Pelayanan"):
        f.complete(2, {"camat"}, 1, at(2))
    for n, role in [(2, "petugas_pelayanan"), (3, "kasi_pelayanan"), (4, "petugas_register"), (5, "sekcam")]:
        f.complete(n, {role}, 1, at(n), decision="MS" if n == 3 else None)
    with pytest.raises(WrongRole):  # a Camat-only step refuses a Kasi
        f.complete(6, {"kasi_pelayanan"}, 1, at(7))
    with pytest.raises(WrongRole):  # a Petugas Pelayanan cannot sign
        f.complete(6, {"petugas_pelayanan"}, 1, at(7))


def test_steps_cannot_be_skipped_and_waiting_tickets_cannot_be_worked():
    f = flow()
    with pytest.raises(WrongStep):
        f.complete(2, {"petugas_pelayanan"}, 1, at(1))
    f.call(at(1))
    with pytest.raises(WrongStep, match="step 2"):
        f.complete(3, {"kasi_pelayanan"}, 1, at(2), decision="MS")
    with pytest.raises(WrongStep):
        f.call(at(2))


def test_time_never_goes_backwards():
    f = flow()
    f.call(at(5))
    with pytest.raises(TimeWentBack):
        f.complete(2, {"petugas_pelayanan"}, 1, at(4))


def test_pengaduan_ends_with_staff_delivering_the_decision():
    f = flow("pengaduan")
    f.call(at(1))
    f.complete(2, {"petugas_pelayanan"}, 1, at(2), decision="MS")
    f.complete(3, {"tim_pengaduan"}, 1, at(3))
    f.complete(4, {"sekcam"}, 1, at(4))
    f.complete(5, {"camat"}, 1, at(5))
    assert f.status is Status.IN_PROGRESS
    f.complete(6, {"tim_pengaduan"}, 1, at(6))
    assert f.status is Status.DONE and len(f.records) == 6


def test_awaits_applicant_after_the_back_office():
    f = flow()
    f.call(at(1))
    for n, role in [(2, "petugas_pelayanan"), (3, "kasi_pelayanan"), (4, "petugas_register"), (5, "sekcam")]:
        f.complete(n, {role}, 1, at(n), decision="MS" if n == 3 else None)
        assert not f.awaits_applicant
    f.complete(6, {"camat"}, 1, at(7))
    assert f.awaits_applicant and f.step.kind == "handover"


def test_timer_turns_amber_then_red():
    f = flow()
    f.call(at(0))
    f.arrive(at(0))  # step 2, standard 2 minutes
    assert f.timer_state(at(1)) == "ok"
    assert f.timer_state(at(1.8)) == "amber"
    assert f.timer_state(at(2.5)) == "red"


def test_completing_step_2_on_a_called_ticket_records_the_arrival_first():
    f = flow()
    f.call(at(1))
    records = f.complete(2, {"petugas_pelayanan"}, 1, at(2))
    assert [r.number for r in records] == [1, 2] and f.current_step == 3


def test_a_refused_step_on_a_called_ticket_leaves_it_called():
    f = flow()
    f.call(at(1))
    with pytest.raises(WrongRole):
        f.complete(2, {"camat"}, 1, at(2))
    assert f.status is Status.CALLED and f.records == [] and f.current_step == 1


def test_no_show_goes_back_to_the_queue_once_then_is_dropped():
    f = flow()
    f.call(at(1))
    assert f.no_show(at(2), allowed=1) is Status.WAITING and f.recalls == 1
    f.call(at(10))
    assert f.no_show(at(11), allowed=1) is Status.NO_SHOW and f.closed
    with pytest.raises(TicketClosed):
        f.call(at(12))


def test_requeue_only_before_work_starts():
    f = flow()
    f.call(at(1))
    f.requeue(at(2))
    assert f.status is Status.WAITING
    f.call(at(3))
    f.arrive(at(4))
    with pytest.raises(WrongStep):
        f.requeue(at(5))


def test_close_as_no_show():
    f = flow()
    f.close(Status.NO_SHOW, at(1))
    with pytest.raises(TicketClosed):
        f.call(at(2))


# -- property-based: random sequences of actions hold the invariants -----------------------

ACTIONS = st.tuples(
    st.sampled_from(["call", "arrive", "complete", "complete", "no_show", "requeue", "close"]),
    st.integers(min_value=1, max_value=9),  # step number
    st.sets(st.sampled_from(sorted(ROLES)), max_size=3),  # roles
    st.sampled_from([None, "MS", "TMS"]),
    st.integers(min_value=-3, max_value=30),  # minutes from the previous action
)


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(sorted(CAT.services)), actions=st.lists(ACTIONS, max_size=25))
def test_invariants_hold_for_any_sequence(code, actions):
    f = flow(code)
    now = T0
    for kind, number, roles, decision, delta in actions:
        now = now + timedelta(minutes=delta)
        before = (f.status, f.current_step, len(f.records))
        try:
            if kind == "call":
                f.call(now)
            elif kind == "arrive":
                f.arrive(now)
            elif kind == "no_show":
                f.no_show(now, allowed=1)
            elif kind == "requeue":
                f.requeue(now)
            elif kind == "complete":
                f.complete(number, roles, 1, now, decision=decision,
                           missing=["KTP"] if decision == "TMS" else ())
            else:
                f.close(Status.NO_SHOW, now)
        except Exception as exc:
            assert type(exc).__module__ == "antrean.shared.domain.workflow", exc  # only domain errors
            assert (f.status, f.current_step, len(f.records)) == before  # a refused action changes nothing
            if before[0].closed:
                pass
            continue
        if before[0].closed:
            raise AssertionError("a closed ticket changed")
    numbers = [r.number for r in f.records]
    assert numbers == list(range(1, len(numbers) + 1)), "a step was skipped or repeated"
    finishes = [r.finished_at for r in f.records]
    assert finishes == sorted(finishes), "times went backwards"
    assert all(r.available_at <= r.finished_at for r in f.records)
    steps = {s.number: s for s in f.steps}
    for r in f.records:
        assert r.actor == steps[r.number].actor
    if f.status is Status.DONE:
        assert numbers == [s.number for s in f.steps]
    if f.status is Status.RETURNED:
        assert f.records[-1].decision == "TMS"

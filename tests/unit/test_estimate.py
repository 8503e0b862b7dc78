"""Wait estimates from simulated histories: plain values, no app and no database."""
from datetime import UTC, datetime, timedelta

import pytest

from antrean.shared.domain import estimate
from antrean.shared.domain.estimate import Visit, desk_minutes, minutes_per_visit, visit_of, wait_minutes

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def flow(service):
    return [{"number": s.number, "kind": s.kind, "minutes": s.minutes, "decision": s.decision}
            for s in service.steps]


def test_the_desk_visit_is_the_first_run_of_front_desk_steps(catalogue):
    # Family A/B/C: receive 2 + verify 5 + register 2; the signatures happen without the applicant.
    assert desk_minutes(catalogue.service("ahli_waris")) == 9
    assert desk_minutes(catalogue.service("ktp")) == 9
    # e-KTP: the biometric recording (step 6) comes after the signature: not part of the first visit.
    assert desk_minutes(catalogue.service("ektp")) == 8
    assert desk_minutes(catalogue.service("legalisasi")) == 3
    assert desk_minutes(catalogue.service("oss")) == 2  # the Tim Teknis verifies at once
    assert desk_minutes(catalogue.service("pengaduan")) == 2


@pytest.mark.parametrize("ahead, each, lokets, expected", [
    (0, 9, 1, 0), (-1, 9, 1, 0), (1, 9, 1, 9), (3, 9, 1, 27), (3, 9, 2, 14), (5, 2.5, 2, 7), (4, 9, 0, 36),
])
def test_wait_is_people_ahead_times_minutes_shared_by_the_lokets(ahead, each, lokets, expected):
    assert wait_minutes(ahead, each, lokets) == expected


def test_a_visit_runs_from_the_call_to_the_end_of_the_last_desk_step(catalogue):
    f = flow(catalogue.service("ahli_waris"))
    finished = {1: at(1), 2: at(3), 3: at(9), 4: at(12)}
    assert visit_of(f, at(0), finished) == (12.0, 9.0)
    # Still at the desk (register not done): no visit yet.
    assert visit_of(f, at(0), {1: at(1), 2: at(3), 3: at(9)}) is None
    # A TMS return ends the visit at the decision.
    assert visit_of(f, at(0), {1: at(1), 2: at(3), 3: at(7)}, ended=True) == (7.0, 7.0)
    # Never called: no visit; a ticket left open for a day is not a visit either.
    assert visit_of(f, None, {}) is None
    assert visit_of(f, at(0), {1: at(1), 2: at(3), 3: at(9), 4: at(60 * 24)}) is None


def test_the_catalogue_is_used_until_there_is_enough_history(catalogue):
    service = catalogue.service("ahli_waris")
    few = [Visit("ahli_waris", 20.0, 9.0)] * (estimate.MIN_HISTORY - 1)
    assert minutes_per_visit(service, few) == 9
    enough = few + [Visit("ahli_waris", 20.0, 9.0)]
    assert minutes_per_visit(service, enough) == 20


def test_the_median_ignores_one_very_long_visit(catalogue):
    service = catalogue.service("ahli_waris")
    visits = [Visit("ahli_waris", m, 9.0) for m in (6, 7, 7, 8, 120)]
    assert minutes_per_visit(service, visits) == 7


def test_only_recent_visits_count(catalogue):
    service = catalogue.service("ahli_waris")
    recent = [Visit("ahli_waris", 4.0, 9.0)] * estimate.HISTORY_TICKETS
    older = [Visit("ahli_waris", 30.0, 9.0)] * 50  # newest first: these are beyond the window
    assert minutes_per_visit(service, recent + older) == 4


def test_a_service_without_history_follows_its_group(catalogue):
    # Family B desks in the group have been running at twice their SOP minutes lately;
    # Legalisasi (3 SOP minutes) has no history of its own: expect 6.
    visits = [Visit("ahli_waris", 18.0, 9.0)] * 3 + [Visit("bepergian", 18.0, 9.0)] * 3
    assert minutes_per_visit(catalogue.service("legalisasi"), visits) == pytest.approx(6.0)
    # With its own history it uses that instead.
    own = visits + [Visit("legalisasi", 2.0, 3.0)] * 5
    assert minutes_per_visit(catalogue.service("legalisasi"), own) == 2


@pytest.mark.parametrize("history, lokets, ahead, expected", [
    ([], 1, 4, 36),                       # catalogue: 4 x 9 min at one loket
    ([5.0] * 10, 1, 4, 20),               # a quick desk: 4 x 5
    ([5.0] * 10, 2, 4, 10),               # ... with two lokets
    ([12.0, 13.0, 14.0, 11.0, 12.0], 1, 2, 24),
])
def test_simulated_histories(catalogue, history, lokets, expected, ahead):
    service = catalogue.service("ahli_waris")
    visits = [Visit("ahli_waris", m, 9.0) for m in history]
    assert wait_minutes(ahead, minutes_per_visit(service, visits), lokets) == expected

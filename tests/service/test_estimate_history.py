"""Wait estimates against simulated office histories: tickets walked through the real service
layer with a controlled clock (SQLite)."""
import pytest

from antrean.shared.services import estimate
from antrean.shared.store.db import transaction
from antrean.shared.store.models import Loket
from tests.support.factories import walk_desk_visit


def waiting_estimate(desk, n: int) -> dict:
    views = [desk.issue_ticket("ahli_waris") for _ in range(n)]
    return desk.get_ticket(views[-1]["id"])


def test_without_history_the_catalogue_minutes_count(desk, staff):
    last = waiting_estimate(desk, 3)
    assert last["position"] == 2
    assert last["estimated_wait_minutes"] == 2 * 9  # Mutu Baku: receive 2 + verify 5 + register 2


def test_a_slow_desk_history_raises_the_estimate(desk, staff, clock):
    for _ in range(estimate.MIN_HISTORY):
        desk.issue_ticket("ahli_waris")
        walk_desk_visit(desk, staff, clock, receive=3, verify=6, register=3)  # 12 minutes a visit
    last = waiting_estimate(desk, 3)
    assert last["estimated_wait_minutes"] == 2 * 12


def test_a_fast_desk_history_lowers_it_and_a_second_loket_halves_it(desk, staff, clock, sessions):
    for _ in range(6):
        desk.issue_ticket("ahli_waris")
        walk_desk_visit(desk, staff, clock, receive=1, verify=2, register=1)  # 4 minutes
    assert waiting_estimate(desk, 5)["estimated_wait_minutes"] == 4 * 4
    with transaction(sessions) as s:
        s.add(Loket(number=4, name="Loket 4", groups=["surat_keterangan"], active=True))
    assert desk.get_ticket(desk.issue_ticket("ahli_waris")["id"])["estimated_wait_minutes"] == 5 * 4 // 2


def test_the_group_ratio_covers_a_service_without_history(desk, staff, clock):
    # Ahli waris visits ran at twice their SOP minutes (18 instead of 9) ...
    for _ in range(estimate.MIN_HISTORY):
        desk.issue_ticket("ahli_waris")
        walk_desk_visit(desk, staff, clock, receive=4, verify=10, register=4)
    # ... so two Legalisasi tickets ahead (3 SOP minutes, no history) count 6 minutes each.
    desk.issue_ticket("legalisasi")
    desk.issue_ticket("legalisasi")
    last = desk.get_ticket(desk.issue_ticket("legalisasi")["id"])
    assert last["position"] == 2 and last["estimated_wait_minutes"] == 12


def test_history_older_than_the_window_is_forgotten(desk, staff, clock):
    for _ in range(estimate.MIN_HISTORY):
        desk.issue_ticket("ahli_waris")
        walk_desk_visit(desk, staff, clock, receive=5, verify=10, register=5)  # 20 minutes
    clock.advance(days=estimate.HISTORY_DAYS + 1)
    assert waiting_estimate(desk, 2)["estimated_wait_minutes"] == 9


@pytest.mark.parametrize("visits, expected_each", [
    ([(1, 2, 1)] * 5, 4),
    ([(2, 5, 2)] * 4 + [(30, 60, 30)], 9),  # one ticket left open for two hours: the median ignores it
])
def test_simulated_days(desk, staff, clock, visits, expected_each):
    for receive, verify, register in visits:
        desk.issue_ticket("ahli_waris")
        walk_desk_visit(desk, staff, clock, receive, verify, register)
    assert waiting_estimate(desk, 4)["estimated_wait_minutes"] == 3 * expected_each

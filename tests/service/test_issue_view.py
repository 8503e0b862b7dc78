"""The kiosk's answer for a new ticket (worked out by the fast issue path, shared/services/issuing.py) is what
the ticket's status page says at that moment (worked out from the stored ticket): number, place in
the queue, wait estimate, step, requirements. On SQLite and PostgreSQL, with priority tickets, both
call rules, lokets opened and closed, real desk visits in the history and a quota."""
from dataclasses import replace

import pytest

from antrean.shared.services import availability
from antrean.shared.store.models import Loket, Setting
from tests.support.factories import demo_office, walk_desk_visit


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office(request, catalogue, clock):
    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "pg_url")
    limited = replace(catalogue, office=replace(catalogue.office, quotas={"ektp": 30}))
    yield from demo_office(url, limited, clock)


def _same_as_status_page(desk, view):
    page = desk.get_ticket_by_public_id(view["public_id"])
    assert view == page, {k: (view[k], page.get(k)) for k in view if view[k] != page.get(k)}
    return view


def test_the_kiosk_and_the_status_page_agree(office, clock):
    desk, staff, sessions = office
    # history: Surat Keterangan desk visits of 12 minutes each at Loket 2 (the SOP says 9)
    for _ in range(6):
        desk.issue_ticket("ahli_waris")
        walk_desk_visit(desk, staff, clock, receive=3, verify=6, register=3)
    clock.advance(minutes=1)

    first = _same_as_status_page(desk, desk.issue_ticket("ektp"))
    assert first["position"] == 0 and first["estimated_wait_minutes"] == 0
    views = [first]
    for code, priority, reason in [("ektp", False, None), ("kk", False, None), ("ahli_waris", False, None),
                                   ("ktp", True, "lansia"), ("ektp", False, None), ("ahli_waris", True, "disabilitas"),
                                   ("kk", True, "ibu_hamil_menyusui"), ("ektp", False, None)]:
        views.append(_same_as_status_page(desk, desk.issue_ticket(code, priority=priority, reason=reason)))
    by_number = {v["number"]: v for v in views}
    assert [by_number[f"A{i:03d}"]["position"] for i in range(1, 8)] == [0, 1, 2, 0, 4, 1, 6]
    assert by_number["B007"]["position"] == 0
    assert by_number["B008"]["position"] == 0  # a priority ticket goes ahead of B007
    assert by_number["A002"]["estimated_wait_minutes"] > 0

    with sessions.begin() as s:  # a second loket for group A halves the wait
        s.add(Loket(number=9, name="Loket 9", groups=["adminduk"], active=True))
    more = _same_as_status_page(desk, desk.issue_ticket("ektp"))
    assert more["position"] == 7
    assert more["estimated_wait_minutes"] < by_number["A007"]["estimated_wait_minutes"]  # two lokets now

    with sessions.begin() as s:
        s.merge(Setting(key="call_rule", value="fifo"))
    fifo = _same_as_status_page(desk, desk.issue_ticket("ktp", priority=True, reason="lansia"))
    assert fifo["position"] == 8  # first come, first served: the priority counts for nothing

    assert desk.call_next(staff["pelayanan2"])["number"] == "B007"  # first come (fifo now)
    last = _same_as_status_page(desk, desk.issue_ticket("ahli_waris"))
    assert (last["position"], last["estimated_wait_minutes"]) == (1, 12)  # the real visits, not the SOP's 9


def test_a_repeated_tap_for_the_last_place_of_the_quota_gets_its_ticket(office):
    desk, _staff, _sessions = office
    for i in range(29):
        desk.issue_ticket("ektp", request_key=f"tap-{i:04d}-xxxx")
    last = desk.issue_ticket("ektp", request_key="tap-last-xxxx")
    again = desk.issue_ticket("ektp", request_key="tap-last-xxxx")  # the answer was lost; the kiosk retries
    assert again["id"] == last["id"] and again["repeated"] and again["number"] == "A030"
    with pytest.raises(availability.ServiceClosed) as err:
        desk.issue_ticket("ektp", request_key="tap-new-xxxx")
    assert err.value.code == "quota_full" and err.value.state.issued == 30


def test_tickets_queued_after_the_kiosks_clock_reading_are_not_ahead_of_it(office, clock):
    """A ticket committed by another request whose clock read later (a concurrent kiosk, a no-show
    sent back to the queue) waits behind the new ticket: under both call rules, for plain and
    priority tickets, the kiosk says what the status page says."""
    desk, staff, sessions = office
    for code, priority in [("ektp", False), ("kk", True), ("ktp", False), ("ektp", True)]:
        desk.issue_ticket(code, priority=priority)
    clock.advance(minutes=5)
    desk.issue_ticket("kk")  # queued at +5 min
    desk.issue_ticket("ektp", priority=True)
    clock.advance(minutes=-3)  # the next kiosk's clock reading is earlier than those two
    for rule in ("priority_first", "fifo"):
        with sessions.begin() as s:
            s.merge(Setting(key="call_rule", value=rule))
        plain = _same_as_status_page(desk, desk.issue_ticket("ektp"))
        first = _same_as_status_page(desk, desk.issue_ticket("ktp", priority=True, reason="lansia"))
        if rule == "priority_first":  # every priority ticket is ahead of a plain one; the later plain one is not
            assert (plain["position"], first["position"]) == (5, 2)
        else:  # the four before and the two just issued under the other rule, not the two after
            assert (plain["position"], first["position"]) == (6, 7)

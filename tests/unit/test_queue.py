"""The queue rules of domain.queue over plain values: "who is ahead" is the calling order, and the
grouped count the kiosk uses is the same rule."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from antrean.shared.domain import queue
from antrean.shared.domain.queue import FIFO, PRIORITY_FIRST, Waiting

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def mixed() -> list[Waiting]:
    """Plain and priority tickets, some queued in the same instant (the id breaks the tie)."""
    pattern = [(False, 0), (True, 0), (False, 1), (False, 1), (True, 2), (False, 3), (True, 3), (True, 5), (False, 5)]
    return [Waiting(i + 1, p, T0 + timedelta(minutes=m)) for i, (p, m) in enumerate(pattern)]


@pytest.mark.parametrize("rule", [PRIORITY_FIRST, FIFO])
def test_people_ahead_is_the_place_in_the_calling_order(rule):
    waiting = mixed()
    order = sorted(waiting, key=lambda t: queue.order_key(rule, t))
    for ticket in waiting:
        assert queue.people_ahead(rule, ticket, waiting) == order.index(ticket)
    for a, b in product(waiting, waiting):
        assert queue.is_ahead(rule, a, b) == (queue.order_key(rule, a) < queue.order_key(rule, b))


def test_priority_first_calls_priority_tickets_first_then_by_time():
    order = [t.id for t in sorted(mixed(), key=lambda t: queue.order_key(PRIORITY_FIRST, t))]
    assert order == [2, 5, 7, 8, 1, 3, 4, 6, 9]
    assert [t.id for t in sorted(mixed(), key=lambda t: queue.order_key(FIFO, t))] == list(range(1, 10))


@pytest.mark.parametrize("rule, priority", list(product([PRIORITY_FIRST, FIFO], [False, True])))
def test_the_grouped_count_is_the_same_rule(rule, priority):
    waiting = mixed()
    now = T0 + timedelta(minutes=3)  # tickets queued after now are not ahead of a new one
    new = Waiting(max(t.id for t in waiting) + 1, priority, now)
    counts = []
    for p in (False, True):
        same = [t for t in waiting if t.priority == p]
        counts.append((p, len(same), sum(1 for t in same if t.since > now)))
    assert queue.ahead_in_counts(rule, priority, counts) == queue.people_ahead(rule, new, waiting)


def test_unknown_call_rules_are_the_default():
    assert queue.call_rule(None) == queue.call_rule("lifo") == PRIORITY_FIRST
    assert queue.call_rule(FIFO) == FIFO


def test_priority_labels_are_written_once():
    """The kiosk's buttons and the printed ticket, in Indonesian and in English, come from the one
    table in the domain and the translation catalogue."""
    from antrean.shared.web.i18n import translator

    english = translator("en")
    assert queue.PRIORITY_REASONS == ("lansia", "disabilitas", "ibu_hamil_menyusui", "anak")
    assert queue.priority_label("lansia") == "Prioritas: lansia"
    assert queue.priority_label("lansia", english) == "Priority: elderly"
    assert queue.priority_label("ibu_hamil_menyusui", english) == "Priority: pregnant / nursing mother"
    assert queue.priority_label(None) == "Prioritas" and queue.priority_label(None, english) == "Priority"
    assert all(english(text) != text for text in queue.PRIORITY_TEXT.values()), "a priority reason has no English"


# -- calling by role, and what a loket holds -------------------------------------------------------


def test_calling_order_offers_a_role_only_its_tickets_transferred_first():
    plain = mixed()
    roles = ["tim_teknis" if t.id % 3 else "petugas_pelayanan" for t in plain]
    waiting = [Waiting(t.id, t.priority, t.since, actor=r, transferred=t.id == 9) for t, r in zip(plain, roles, strict=True)]
    teknis = [t.id for t in queue.calling_order(PRIORITY_FIRST, waiting, {"tim_teknis"})]
    assert teknis == [2, 5, 7, 8, 1, 4]  # 3, 6 and 9 are the Petugas Pelayanan's
    assert [t.id for t in queue.calling_order(PRIORITY_FIRST, waiting, {"petugas_pelayanan"})] == [9, 3, 6]
    everyone = [t.id for t in queue.calling_order(PRIORITY_FIRST, waiting)]
    assert everyone == [9, 2, 5, 7, 8, 1, 3, 4, 6]
    assert queue.calling_order(FIFO, waiting, {"camat"}) == []


def test_a_loket_holds_a_called_ticket_and_one_at_its_desk_not_one_at_the_back_office():
    from antrean.shared.domain.catalogue import load_catalogue
    from antrean.shared.domain.workflow import Status, TicketFlow

    flow = TicketFlow(steps=load_catalogue().service("ktp").steps)
    flow.issue(T0)
    assert queue.held(flow, False) is None  # waiting
    flow.call(T0)
    assert queue.held(flow, False) == queue.CALLED
    flow.arrive(T0 + timedelta(minutes=1))
    assert queue.held(flow, False) == queue.SERVING  # the request is being received
    flow.complete(2, {"petugas_pelayanan"}, 1, T0 + timedelta(minutes=2))
    assert queue.held(flow, False) is None  # at the back office
    for number, role, decision in [(3, "petugas_verifikasi", "MS"), (4, "petugas_register", None),
                                   (5, "kasi_pelayanan", None)]:
        flow.complete(number, {role}, 1, T0 + timedelta(minutes=number), decision=decision)
    assert flow.awaits_applicant and queue.held(flow, False) is None  # ready: not called yet
    assert queue.held(flow, True) == queue.SERVING  # called back for the hand-over
    flow.complete(6, {"petugas_pelayanan"}, 1, T0 + timedelta(minutes=9))
    assert flow.status is Status.DONE and queue.held(flow, True) is None


def test_desk_step_is_the_one_after_the_applicants_submission():
    from antrean.shared.domain.catalogue import load_catalogue

    steps = load_catalogue().service("pengaduan").steps
    assert queue.desk_step(steps).actor == "petugas_pelayanan"
    assert queue.desk_step(steps, 3).actor == "tim_pengaduan"
    assert queue.desk_step(steps, 99) is None
    assert queue.may_call({"tim_teknis"}, "petugas_pelayanan") is False
    assert queue.may_call({"tim_teknis"}, "tim_teknis") is True

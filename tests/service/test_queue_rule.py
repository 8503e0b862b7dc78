"""The people ahead of a ticket are counted by one rule (domain.queue) in three places: the status
page's SQL (services.tickets.position), the kiosk's grouped count (services.issuing.queue_now) and the
calling order (services.tickets.queue_order). They agree on a mixed priority queue under both rules."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from antrean.shared.domain import queue
from antrean.shared.domain.queue import FIFO, PRIORITY_FIRST, Waiting
from antrean.shared.services import issuing, tickets
from antrean.shared.store import settings
from antrean.shared.store.db import core_transaction, reading, transaction
from antrean.shared.store.models import Ticket

PATTERN = [(False, 0), (True, 0), (False, 1), (False, 1), (True, 2), (False, 3), (True, 3), (True, 5), (False, 5)]


def mixed_queue(desk, clock) -> None:
    for priority, minutes in PATTERN:
        t = desk.issue_ticket("ktp", priority=priority)
        with transaction(desk.sessions) as s:  # some in the same instant: the id breaks the tie
            s.get(Ticket, t["id"]).current_since = clock.now.replace(minute=minutes)
    desk.issue_ticket("ahli_waris", priority=True)  # another group: never ahead


@pytest.mark.parametrize("rule", [PRIORITY_FIRST, FIFO])
def test_people_ahead_agree_on_a_mixed_priority_queue(desk, clock, rule):
    mixed_queue(desk, clock)
    with transaction(desk.sessions) as s:
        settings.put(s, tickets.CALL_RULE_KEY, rule, clock.now)
    with reading(desk.sessions) as s:
        assert tickets.call_rule(s) == rule
        group = s.scalars(select(Ticket).where(Ticket.service_code == "ktp")).all()
        plain = [Waiting(t.id, t.priority, t.current_since) for t in group]
        for ticket, waiting in zip(group, plain, strict=True):
            ahead = queue.people_ahead(rule, waiting, plain)
            assert tickets.position(s, ticket) == ahead, ticket.number
            assert desk.get_ticket(ticket.id)["position"] == ahead
        in_sql = s.scalars(select(Ticket.id).where(Ticket.group == group[0].group)
                           .order_by(*tickets.queue_order(rule))).all()
        assert in_sql == [t.id for t in sorted(plain, key=lambda t: queue.order_key(rule, t))]
    now = clock.now.replace(minute=3)
    for priority in (False, True):
        new = Waiting(max(t.id for t in plain) + 100, priority, now)
        with core_transaction(desk.sessions) as conn:
            ahead, _mix, waiting = issuing.queue_now(conn, group[0].group, priority, rule, now)
        assert ahead == queue.people_ahead(rule, new, plain)
        assert waiting == len(plain)


def test_a_new_tickets_position_is_its_status_pages(desk, clock):
    mixed_queue(desk, clock)
    clock.advance(minutes=10)
    for priority in (False, True, False):
        issued = desk.issue_ticket("ktp", priority=priority)
        assert issued["position"] == desk.get_ticket(issued["id"])["position"]

"""``Desk``: the office's operations as methods of one object, for the screens, the CLI and the tests.

A thin facade: ``Desk`` is the operations' context (``services.context.Context``) and each method
hands over to the module of its family -- ``issuing``, ``tickets``, ``calling``, ``steps``,
``display``. Each operation is one transaction, then its events. The errors and ``Actor`` many
callers import from here are those of ``services.errors``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from antrean.shared.services import calling, display, issuing, steps, tickets
from antrean.shared.services.context import Context
from antrean.shared.services.errors import (
    Actor,
    Conflict,
    Forbidden,
    NotFound,
    OperationError,
    mask_nik,
    record_id,
)
from antrean.shared.store.models import Loket, Ticket

__all__ = ["Actor", "Conflict", "Desk", "Forbidden", "NotFound", "OperationError", "mask_nik", "record_id"]


class Desk(Context):
    """The office's operations over one database and one catalogue."""

    # -- kiosk -----------------------------------------------------------------------------

    def issue_ticket(self, service_code: Any, priority: Any = False, reason: Any = None,
                     lang: str = "id", request_key: Any = None,
                     print_target: str | None = None, print_base: str | None = None) -> dict[str, Any]:
        return issuing.issue_ticket(self, service_code, priority, reason, lang, request_key, print_target,
                                    print_base)

    def get_ticket(self, ticket_id: Any) -> dict[str, Any]:
        return tickets.get_ticket(self, ticket_id)

    def get_ticket_by_public_id(self, public_id: str) -> dict[str, Any]:
        return tickets.get_ticket_by_public_id(self, public_id)

    def _public_view(self, s: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return tickets.view(self, s, ticket, now)

    # -- counter ---------------------------------------------------------------------------

    def call_rule(self, s: Session) -> str:
        return tickets.call_rule(s)

    def loket_of(self, s: Session, actor: Actor, loket_id: Any = None) -> Loket:
        return calling.loket_of(s, actor, loket_id)

    def waiting_list(self, actor: Actor, loket_id: Any = None, limit: int = 50) -> list[dict[str, Any]]:
        return calling.waiting_list(self, actor, loket_id, limit)

    def call_next(self, actor: Actor, loket_id: Any = None) -> dict[str, Any] | None:
        return calling.call_next(self, actor, loket_id)

    def call_ticket(self, actor: Actor, ticket_id: Any, loket_id: Any = None) -> dict[str, Any]:
        return calling.call_ticket(self, actor, ticket_id, loket_id)

    def recall(self, actor: Actor, ticket_id: Any, kind: str = "recall", loket_id: Any = None) -> dict[str, Any]:
        return calling.recall(self, actor, ticket_id, kind, loket_id)

    def arrive(self, actor: Actor, ticket_id: Any) -> dict[str, Any]:
        return calling.arrive(self, actor, ticket_id)

    def no_show(self, actor: Actor, ticket_id: Any) -> dict[str, Any]:
        return calling.no_show(self, actor, ticket_id)

    def transfer(self, actor: Actor, ticket_id: Any, loket_id: Any = None, service: Any = None) -> dict[str, Any]:
        return calling.transfer(self, actor, ticket_id, loket_id, service)

    def find_tickets(self, query: str) -> list[dict[str, Any]]:
        """Open tickets by number (any day: a file may wait overnight) or by pickup code; complaints
        by their SP4N-LAPOR! tracking number."""
        return tickets.find_tickets(self, re.sub(r"\s", "", str(query or "")).upper())

    def complete_step(
        self, actor: Actor, ticket_id: Any, step: Any, decision: Any = None,
        missing: Sequence[str] = (), note: str = "", applicant: dict[str, Any] | None = None,
        pickup_code: Any = None, waiver: Any = None, complaint: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return steps.complete_step(self, actor, ticket_id, step, decision, missing, note, applicant,
                                   pickup_code=pickup_code, waiver=waiver, complaint=complaint)

    def staff_view(self, s: Session, ticket: Ticket, now: datetime) -> dict[str, Any]:
        return tickets.staff_view(self, s, ticket, now)

    def staff_ticket(self, ticket_id: Any) -> dict[str, Any]:
        return tickets.staff_ticket(self, ticket_id)

    def work_queue(self, actor: Actor) -> list[dict[str, Any]]:
        return tickets.work_queue(self, actor)

    # -- display ---------------------------------------------------------------------------

    def queue_counts(self, s: Session | None = None) -> dict[str, int]:
        return tickets.queue_counts(self, s)

    def display_snapshot(self, last: int = 8) -> dict[str, Any]:
        return display.display_snapshot(self, last)

    # -- printing: the print outbox lives in services/print_queue.py (claims, agents, reprints) ----

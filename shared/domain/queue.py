"""The waiting queue: the call rule, the calling order, who may be offered a ticket, the people ahead
of a ticket, and what a loket holds, each written once.

The office chooses a call rule (the ``call_rule`` setting): ``priority_first`` (the default: the
kelompok rentan -- lansia, penyandang disabilitas, ibu hamil/menyusui -- are called first, UU 25/2009
Pasal 29) or ``fifo``. Within a class tickets go by the time they joined the queue, then by id.

The services read the queue in SQL (``services.tickets.position``, ``services.calling``) and in a
grouped count (``services.issuing.queue_now``); both take the order and the "who is ahead" rule from
here, and ``people_ahead`` is the same rule over plain values (the tests check they agree).

Calling by role: a call brings the applicant to the step after their own submission (the desk
step, ``desk_step``); a clerk is offered only the waiting tickets whose desk step one of their roles
does (``may_call``). ``calling_order`` is the whole rule over plain values.

What a loket holds (``held``): a ticket it called whose applicant has not come (``called``), and one
whose applicant is at its desk now (``serving``). A loket holding a ticket calls the next one only
when the clerk says so (``services.calling``: ``loket_busy``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from antrean.shared.domain.workflow import Status, TicketFlow

PRIORITY_FIRST = "priority_first"
FIFO = "fifo"
CALL_RULES = (PRIORITY_FIRST, FIFO)
DEFAULT_CALL_RULE = PRIORITY_FIRST



def N_(message: str) -> str:
    """Marks a message for the translation catalogue (``pybabel extract`` knows ``N_``). The text stays
    Indonesian here; the kiosk page and the printed ticket translate it where they show it."""
    return message


def _same(message: str) -> str:
    return message


# UU 25/2009 Pasal 29: the priority reasons a kiosk offers (kelompok rentan), and their words, once.
PRIORITY_TEXT = {
    "lansia": N_("Lansia"),
    "disabilitas": N_("Penyandang disabilitas"),
    "ibu_hamil_menyusui": N_("Ibu hamil / menyusui"),
    "anak": N_("Anak / membawa balita"),  # UU 25/2009 Pasal 29: anak-anak among the groups served first
}
PRIORITY_REASONS = tuple(PRIORITY_TEXT)
PRIORITY = N_("Prioritas")


def priority_label(reason: str | None, translate: Callable[[str], str] = _same) -> str:
    """The line a printed ticket carries: ``"Prioritas: lansia"``, or ``"Priority: elderly"`` with the
    English catalogue's ``translate``; a priority without a known reason is just ``"Prioritas"``."""
    if reason not in PRIORITY_TEXT:
        return translate(PRIORITY)
    return f"{translate(PRIORITY)}: {translate(PRIORITY_TEXT[reason]).lower()}"


def call_rule(value: Any) -> str:
    """The office's call rule from the stored setting (anything unknown or unset: the default)."""
    return value if value in CALL_RULES else DEFAULT_CALL_RULE


# The calling order, as the fields of a waiting ticket, first key first: ``priority`` descending
# (priority tickets first), then ``since`` (when it joined the queue) and ``id`` ascending. A booked
# ticket's ``since`` is given by ``booked_since`` (booked tickets first within their session).
QUEUE_ORDER: dict[str, tuple[str, ...]] = {
    PRIORITY_FIRST: ("priority", "since", "id"),
    FIFO: ("since", "id"),
}


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the queue rules see it."""

    id: int
    priority: bool
    since: datetime
    actor: str | None = None  # the role whose step a call leads to (``desk_step``); None: anyone's
    transferred: bool = False  # sent to this loket by a transfer: called before the rest


APPLICANT = "pemohon"


class StepLike(Protocol):
    """A step as ``desk_step`` reads it: a catalogue ``Step``, or a step of a ticket's view."""

    @property
    def number(self) -> int: ...

    @property
    def actor(self) -> str: ...


S = TypeVar("S", bound=StepLike)


def desk_step(steps: Sequence[S], current: int = 1) -> S | None:
    """The step a clerk does when the ticket is at the loket: the current step, or, while it is the
    applicant's own (step 1, handing in the request, recorded with the call), the one after it."""
    numbers = [st.number for st in steps]
    if current not in numbers:
        return None
    at = numbers.index(current)
    if steps[at].actor == APPLICANT and at + 1 < len(steps):
        return steps[at + 1]
    return steps[at]


def may_call(roles: Iterable[str], actor: str | None) -> bool:
    """Whether a clerk holding ``roles`` is offered a ticket whose desk step is ``actor``'s."""
    return actor is None or actor in set(roles)


def calling_order(rule: str, waiting: Iterable[Waiting], roles: Iterable[str] | None = None) -> list[Waiting]:
    """The waiting tickets a clerk holding ``roles`` is offered (``None``: every one), in the order
    they are called: those transferred to the loket first, then the office's call rule."""
    offered = [t for t in waiting if roles is None or may_call(roles, t.actor)]
    return sorted(offered, key=lambda t: (not t.transferred, *order_key(rule, t)))


def order_key(rule: str, ticket: Waiting) -> tuple:
    """The sort key of ``ticket`` in the calling order (smaller is called first)."""
    values = {"priority": not ticket.priority, "since": ticket.since, "id": ticket.id}
    return tuple(values[name] for name in QUEUE_ORDER[call_rule(rule)])


def booked_since(arrived: datetime, session_start: datetime | None = None, grace_minutes: int = 15,
                 joined: datetime | None = None) -> tuple[datetime, bool]:
    """The ``since`` of a booked ticket checked in at ``arrived`` (its place in the calling order),
    and whether the booking kept its place (False: it became a walk-in).

    - A booking checked in no later than ``grace_minutes`` after its session starts joins the queue
      as if it had come at the session's start (or when it came, if earlier): it goes before every
      walk-in who came after the session began, after those who were already waiting (and priority
      still comes first under ``priority_first``).
    - Later than that it is a walk-in: its place is the moment it checked in.
    - A remote join (``joined``, no session) keeps the moment it joined: its place waited for it
      without a ticket, so nobody called it before it checked in.
    """
    if joined is not None:
        return min(joined, arrived), True
    if session_start is None:
        return arrived, False
    if arrived <= session_start + timedelta(minutes=grace_minutes):
        return min(arrived, session_start), True
    return arrived, False


@dataclass(frozen=True)
class Ahead:
    """Which waiting tickets are ahead of one of a given priority: those whose priority is in
    ``always`` whenever they joined, and those whose priority is in ``if_earlier`` when they joined
    before it (same time: lower id)."""

    always: frozenset[bool]
    if_earlier: frozenset[bool]


def ahead_rule(rule: str, priority: bool) -> Ahead:
    """Under ``priority_first`` a priority ticket is ahead of every plain one, and a priority ticket
    follows only the earlier priority tickets; under ``fifo`` only the earlier tickets are ahead."""
    if call_rule(rule) == PRIORITY_FIRST:
        if priority:
            return Ahead(always=frozenset(), if_earlier=frozenset({True}))
        return Ahead(always=frozenset({True}), if_earlier=frozenset({False}))
    return Ahead(always=frozenset(), if_earlier=frozenset({True, False}))


def is_ahead(rule: str, other: Waiting, ticket: Waiting) -> bool:
    """Whether ``other`` is called before ``ticket`` (the same as comparing ``order_key``)."""
    if other.id == ticket.id:
        return False
    ahead = ahead_rule(rule, ticket.priority)
    earlier = (other.since, other.id) < (ticket.since, ticket.id)
    return other.priority in ahead.always or (other.priority in ahead.if_earlier and earlier)


def people_ahead(rule: str, ticket: Waiting, waiting: Iterable[Waiting]) -> int:
    """How many of the ``waiting`` tickets (its group's) are called before ``ticket``."""
    return sum(1 for other in waiting if is_ahead(rule, other, ticket))


def ahead_in_counts(rule: str, priority: bool, counts: Iterable[tuple[bool, int, int]]) -> int:
    """People ahead of a new ticket of ``priority`` from grouped counts: (priority, tickets waiting,
    of which queued after the new one)."""
    ahead = ahead_rule(rule, priority)
    total = 0
    for is_priority, n, after in counts:
        if is_priority in ahead.always:
            total += n
        elif is_priority in ahead.if_earlier:
            total += n - after
    return total


# -- what a loket holds ---------------------------------------------------------------------------

CALLED = "called"  # called to the loket, the applicant has not come yet
SERVING = "serving"  # the applicant is at the loket's desk for the current step


def held(flow: TicketFlow, called_for_step: bool) -> str | None:
    """What a loket holds of a ticket whose loket it is: ``CALLED``, ``SERVING`` or ``None`` (the
    file is elsewhere: at the back office, or waiting for its applicant to be called back).

    ``called_for_step``: the loket called the applicant since the current step began (a pickup, the
    e-KTP recording, a recall). After the call is answered the request is received at the desk (the
    desk step is current): the loket serves the ticket until that step is done."""
    if flow.status is Status.CALLED:
        return CALLED
    if flow.status is not Status.IN_PROGRESS or flow.step is None:
        return None
    intake = desk_step(flow.steps)
    if intake is not None and flow.current_step == intake.number:
        return SERVING
    return SERVING if called_for_step else None

"""Wait estimates, the arithmetic: the queue ahead, the lokets open for it, and how long a desk visit takes.

A *desk visit* is what keeps a loket busy with one applicant: from the call to the end of the first
run of front-desk steps after the applicant hands in the request (receive, verify, register; a TMS
decision ends it early). By the SOP it lasts the sum of those steps' Mutu Baku minutes; once there
is history, the recent real visits of the same service (or, with too few of those, of its group,
as a ratio to the SOP minutes) replace the catalogue's minutes.

Plain values only; ``services.estimate`` reads the visits and the queue from the database.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from antrean.shared.domain.catalogue import Catalogue, Service, Step

DESK_KINDS = ("receive", "verify", "register")
HISTORY_DAYS = 14  # look back this far for real desk visits
HISTORY_TICKETS = 20  # at most this many recent visits per service
MIN_HISTORY = 5  # fewer real visits than this: use the catalogue (or the group's ratio)
MAX_VISIT_MINUTES = 240  # a longer "visit" is a ticket left open, not a desk visit


def _kind(step: Step | Mapping[str, Any]) -> str:
    return step.kind if isinstance(step, Step) else str(step.get("kind"))


def _number(step: Step | Mapping[str, Any]) -> int:
    return step.number if isinstance(step, Step) else int(step["number"])


def desk_steps(steps: Iterable[Step | Mapping[str, Any]]) -> list:
    """The first run of front-desk steps after step 1 (Step objects or stored step dicts)."""
    run = []
    for step in sorted(steps, key=_number):
        if _number(step) == 1:
            continue
        if _kind(step) not in DESK_KINDS:
            break
        run.append(step)
    return run


def desk_minutes(service: Service) -> float:
    """Minutes of the desk visit by the SOP (the Mutu Baku of the front-desk steps), at least 1.
    Worked out once per service object (a catalogue version's services never change)."""
    known = _DESK_MINUTES.get(id(service))
    if known is None or known[0] is not service:
        if len(_DESK_MINUTES) > 1000:  # many catalogue versions in one process: start again
            _DESK_MINUTES.clear()
        minutes = max(1.0, float(sum(s.minutes for s in desk_steps(service.steps))))
        known = _DESK_MINUTES[id(service)] = (service, minutes)
    return known[1]


_DESK_MINUTES: dict[int, tuple[Service, float]] = {}


def per_ticket_minutes(service: Service, recent_minutes: Sequence[float] = (), min_history: int = MIN_HISTORY) -> float:
    """Recent real desk times once there are enough of them, the catalogue's minutes until then."""
    if len(recent_minutes) >= min_history:
        return max(0.5, median(recent_minutes))
    return desk_minutes(service)


def wait_minutes(people_ahead: int, minutes_each: float, open_lokets: int) -> int:
    if people_ahead <= 0:
        return 0
    return math.ceil(people_ahead * minutes_each / max(1, open_lokets))


@dataclass(frozen=True)
class Visit:
    """One real desk visit: its service, how long it took, and the SOP minutes it stood for."""

    service: str
    minutes: float
    standard: float


def visit_of(flow: Sequence[Mapping[str, Any]], called_at: datetime | None,
             finished: Mapping[int, datetime], ended: bool = False) -> tuple[float, float] | None:
    """(real minutes, SOP minutes) of a ticket's desk visit, or None if it did not happen (yet).

    ``flow`` is the ticket's stored steps, ``finished`` the end time of each recorded step,
    ``ended`` whether the ticket ended early (a TMS return ends the visit at the decision).
    """
    run = desk_steps(flow)
    done = [s for s in run if _number(s) in finished]
    if not run or not done:
        return None
    if len(done) < len(run) and not ended:
        return None  # still at the desk
    start = called_at or finished.get(1)
    if start is None:
        return None
    if finished.get(1) is not None and finished[1] < start:
        start = finished[1]
    end = max(finished[_number(s)] for s in done)
    minutes = (end - start).total_seconds() / 60
    if not 0 < minutes <= MAX_VISIT_MINUTES:
        return None
    return minutes, float(sum(float(s.get("minutes") or 0) for s in done))


ENDED_EARLY = ("returned", "cancelled", "no_show")  # closed before the desk run was complete


def minutes_per_visit(service: Service, visits: Sequence[Visit], per_service: int = HISTORY_TICKETS,
                      min_history: int = MIN_HISTORY) -> float:
    """A service's expected desk visit: the median of its own recent visits when there are enough;
    else its SOP minutes times how the group's recent visits compared with their SOP minutes;
    else the SOP minutes."""
    own = [v.minutes for v in visits if v.service == service.code][:per_service]
    if len(own) >= min_history:
        return max(0.5, median(own))
    ratios = [v.minutes / v.standard for v in visits[:per_service * 5] if v.standard > 0]
    if len(ratios) >= min_history:
        return max(0.5, desk_minutes(service) * median(ratios))
    return desk_minutes(service)


def serving_count(loket_groups: Iterable[Sequence[str] | None], group: str, service_code: str | None = None) -> int:
    """How many of the active lokets (given by their ``groups`` lists) serve ``group`` (a loket lists
    groups or service codes; none = all)."""
    return sum(1 for groups in loket_groups
               if not groups or group in groups or (service_code is not None and service_code in groups))


def estimate_wait(catalogue: Catalogue, service_code: str, ahead: int, mix: Mapping[str, int], visits: Sequence[Visit],
                  open_count: int) -> int:
    """Minutes until a ticket of ``service_code`` with ``ahead`` people ahead is called, given the
    services waiting in its group (``mix``: service code -> tickets), the group's recent visits and
    the lokets open for it."""
    if ahead <= 0:
        return 0
    mix = dict(mix)
    mix.setdefault(service_code, 1)
    total = weight = 0.0
    for code, n in mix.items():
        service = catalogue.services.get(code)
        if service is None:
            continue
        total += n * minutes_per_visit(service, visits)
        weight += n
    each = total / weight if weight else 5.0
    return wait_minutes(ahead, each, open_count)

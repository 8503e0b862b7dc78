"""Wait estimates: the queue ahead, the lokets open for it, and how long a desk visit takes."""
from __future__ import annotations

import math
from statistics import median
from typing import Sequence

from .catalogue import Service

DESK_KINDS = ("receive", "verify", "register")


def desk_minutes(service: Service) -> float:
    """Minutes the applicant spends at the loket by the SOP: the front-desk steps done in person."""
    total = sum(s.minutes for s in service.steps if s.kind in DESK_KINDS or (s.in_person and s.kind == "process"))
    return max(1.0, float(total))


def per_ticket_minutes(service: Service, recent_minutes: Sequence[float] = (), min_history: int = 5) -> float:
    """Recent real desk times once there are enough of them, the catalogue's minutes until then."""
    if len(recent_minutes) >= min_history:
        return max(0.5, median(recent_minutes))
    return desk_minutes(service)


def wait_minutes(people_ahead: int, minutes_each: float, open_lokets: int) -> int:
    if people_ahead <= 0:
        return 0
    return math.ceil(people_ahead * minutes_each / max(1, open_lokets))

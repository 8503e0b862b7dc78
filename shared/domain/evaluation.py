"""The public-service evaluation's figures (PEKPPP), each rule written once over plain values:
complaints handled (counts by channel and status, time to resolution), the priority service to the
vulnerable groups (UU 25/2009 Pasal 29: waits of priority tickets against the others), promised
against actual completion time per service, and when a running request is late (the Kasi's alerts).

Times of work are the office's working minutes (``opening_hours.working_minutes``): a request
that spans a weekend is charged its office hours only. The services read the tickets and hand the
figures here; the tests check them against hand-computed days.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from antrean.shared.domain.stats import median, p90

LAPOR_URL = "https://www.lapor.go.id"  # SP4N-LAPOR!, the national complaint channel (kiosk, status page)
DEFAULT_ALERT_MARGIN = 50  # percent over a step's Mutu Baku before the Kasi is alerted
ALERT_MARGIN_KEY = "evaluation.alert_margin"  # settings key: whole percent, 0..500
ACCESSIBILITY_KEY = "office.accessibility"  # settings key: the accessibility features (a list of names)
ACCESSIBILITY_MAX = 30  # features at most
ACCESSIBILITY_MAX_CHARS = 120  # per feature

# The complaint statuses the register counts: a complaint still open, resolved (done), returned (TMS).
COMPLAINT_OPEN_STATUSES = frozenset({"waiting", "called", "in_progress"})
MINUTES_PER_DAY = 24 * 60


def share(flags: Iterable[bool]) -> float | None:
    """The share of true values (4 decimals), None when there are none."""
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else None


# -- complaints ---------------------------------------------------------------------------------


def complaint_status(status: str) -> str:
    """A complaint's status in the register: ``open``, ``done`` (resolved), ``returned``, or the
    ticket's own status (no_show, cancelled)."""
    return "open" if status in COMPLAINT_OPEN_STATUSES else status


def resolution_days(status: str, created_at: datetime, finished_at: datetime | None) -> float | None:
    """Days (calendar, 2 decimals) from a complaint's intake to its decision or hand-over: for one
    resolved (done) or returned; None while open or when it ended otherwise (no-show, cancelled)."""
    if status not in ("done", "returned") or finished_at is None:
        return None
    return round((finished_at - created_at).total_seconds() / 60 / MINUTES_PER_DAY, 2)


@dataclass(frozen=True)
class Complaint:
    channel: str  # the channel's code (shared/domain/applicant.CHANNELS)
    status: str  # the ticket's status
    lapor_number: str | None
    resolution_days: float | None  # intake to decision/hand-over, in days; None while open


def complaint_summary(complaints: Iterable[Complaint]) -> dict[str, Any]:
    """Counts by channel and by status, how many carry an SP4N-LAPOR! number, and the days from
    intake to the decision or hand-over of those closed (median, p90)."""
    items = list(complaints)
    days = [c.resolution_days for c in items if c.resolution_days is not None]
    return {
        "total": len(items),
        "by_channel": dict(sorted(Counter(c.channel for c in items).items())),
        "by_status": dict(Counter(complaint_status(c.status) for c in items)),
        "with_lapor": sum(1 for c in items if c.lapor_number),
        "resolution_days": {"n": len(days), "median": median(days), "p90": p90(days)},
    }


# -- priority service (kelompok rentan) -----------------------------------------------------------


def priority_waits(priority: dict[str, list[float]], others: list[float]) -> dict[str, Any]:
    """Waits (issue to first call, minutes) of priority tickets per reason, all priority tickets
    together, and the other tickets: n, median, p90 each, and how much shorter the priority median
    is (``others - priority``; negative when priority tickets waited longer)."""
    everyone = [w for waits in priority.values() for w in waits]
    rows = [{"reason": reason, "n": len(waits), "median": median(waits), "p90": p90(waits)}
            for reason, waits in priority.items()]
    all_priority = {"n": len(everyone), "median": median(everyone), "p90": p90(everyone)}
    other = {"n": len(others), "median": median(others), "p90": p90(others)}
    gain = (round(other["median"] - all_priority["median"], 2)
            if other["median"] is not None and all_priority["median"] is not None else None)
    return {"per_reason": rows, "priority": all_priority, "others": other, "median_gain": gain}


# -- promised against actual ----------------------------------------------------------------------


def promised_row(worked: list[float], promised: float, day_minutes: float) -> dict[str, Any]:
    """One service's requests: ``worked`` the working minutes each took (first call to completion),
    ``promised`` its published time (the total Mutu Baku minutes). Within time: ``worked <=
    promised``. ``day_minutes``: a working day, to show the times in days too."""
    within = [w <= promised for w in worked]
    med, high = median(worked), p90(worked)
    return {"n": len(worked), "promised_minutes": promised, "within": sum(within),
            "within_share": share(within), "median_minutes": med, "p90_minutes": high,
            "promised_days": round(promised / day_minutes, 2) if day_minutes else None,
            "median_days": round(med / day_minutes, 2) if med is not None and day_minutes else None,
            "p90_days": round(high / day_minutes, 2) if high is not None and day_minutes else None}


# -- live alerts ---------------------------------------------------------------------------------


def step_overrun(worked: float, standard: float, margin_percent: float) -> float | None:
    """Minutes past its Mutu Baku a step has run when it is over by more than ``margin_percent``
    (50: alert after 1.5 x the standard), else None. A step without a standard (0) never alerts."""
    if standard <= 0 or worked <= standard * (1 + margin_percent / 100):
        return None
    return round(worked - standard, 1)


def request_overrun(worked: float, promised: float) -> float | None:
    """Minutes past the promised time a running request is, else None (0 promised: never)."""
    if promised <= 0 or worked <= promised:
        return None
    return round(worked - promised, 1)


def alert_margin(value: Any) -> int:
    """The stored alert margin (whole percent 0..500); anything else: the default."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return DEFAULT_ALERT_MARGIN
    return number if 0 <= number <= 500 else DEFAULT_ALERT_MARGIN


def accessibility_features(value: Any) -> list[str]:
    """The stored accessibility features: a list of non-empty names (anything else: none)."""
    if not isinstance(value, list):
        return []
    return [str(x).strip() for x in value if isinstance(x, str) and x.strip()][:ACCESSIBILITY_MAX]

"""When the kiosk may issue a ticket for a service: the rules, over plain values.

The rules, in the order they are checked:

1. office hours per weekday (Friday hours too) and holidays, from the catalogue's ``office``
   section (``hours``, ``holidays``, ``last_ticket_minutes``); skipped when the installation runs
   "always open" (``ANTREAN_ALWAYS_OPEN=1``: tests, demos, a 24-hour service);
2. the whole office closed for today by staff (a run-time override);
3. one service closed for today by staff (a run-time override);
4. the service's daily quota (``office.quotas`` in the catalogue, overridden at run time).

The overrides are stored in the ``settings`` table (``services.availability`` reads and writes
them); a closure is stored under its office day and ends by itself at midnight.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from antrean.shared.domain.catalogue import Office
from antrean.shared.domain.clock import local

CLOSED_KEY = "availability.closed"  # {"2026-11-24": {"all": false, "services": ["ektp"]}}
QUOTAS_KEY = "availability.quotas"  # {"ektp": 40}: replaces the catalogue's quota for a service
REASONS = ("outside_hours", "holiday", "office_closed", "service_closed", "quota_full")
LOOKAHEAD_DAYS = 40  # how far to look for the next opening (long holidays, Lebaran)


@dataclass(frozen=True)
class Overrides:
    """Staff decisions for one office day."""

    closed_all: bool = False
    closed_services: frozenset[str] = frozenset()
    quotas: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    """Whether a service takes tickets now, and if not why and when again."""

    open: bool
    reason: str | None = None  # one of REASONS when closed
    reopens_at: datetime | None = None  # local time of the next opening, when known
    quota: int | None = None  # today's quota (None: unlimited)
    issued: int = 0  # tickets of the service issued today

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(0, self.quota - self.issued)

    def error(self, service_name: str = "this service") -> str:
        """A plain English sentence for the API's ``error`` field."""
        when = f"; open again {self.reopens_at:%A %d %B %Y %H:%M}" if self.reopens_at else ""
        return {
            "outside_hours": f"outside office hours{when}",
            "holiday": f"the office is closed today (holiday){when}",
            "office_closed": f"the office takes no more tickets today{when}",
            "service_closed": f"{service_name} is closed today{when}",
            "quota_full": f"today's quota for {service_name} is used up{when}",
        }.get(self.reason or "", "open")

    def to_dict(self) -> dict[str, Any]:
        return {"open": self.open, "reason": self.reason,
                "reopens_at": self.reopens_at.isoformat() if self.reopens_at else None,
                "quota": self.quota, "issued": self.issued, "remaining": self.remaining}


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(hours=hours, minutes=minutes)


def is_holiday(office: Office, day: date) -> bool:
    return day.isoformat() in office.holidays


def issuing_windows(office: Office, day: date) -> list[tuple[datetime, datetime]]:
    """The local times on ``day`` when tickets are issued (office hours minus the last minutes)."""
    tz = ZoneInfo(office.timezone)
    if is_holiday(office, day):
        return []
    if office.hours is None:  # no office-hour limits
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        return [(midnight, midnight + timedelta(days=1))]
    windows = []
    for start, end in office.hours[day.weekday()]:
        a, b = _at(day, start, tz), _at(day, end, tz) - timedelta(minutes=office.last_ticket_minutes)
        if b > a:
            windows.append((a, b))
    return windows


def within_hours(office: Office, now: datetime) -> bool:
    now = local(now, office.timezone)
    return any(a <= now < b for a, b in issuing_windows(office, now.date()))


def next_opening(office: Office, after: datetime, next_day: bool = False) -> datetime | None:
    """The first opening strictly after ``after`` (from the next day on with ``next_day``)."""
    after = local(after, office.timezone)
    first = after.date() + timedelta(days=1 if next_day else 0)
    for i in range(LOOKAHEAD_DAYS):
        day = first + timedelta(days=i)
        for start, _end in issuing_windows(office, day):
            if start > after:
                return start
    return None


def overrides_of(closed: Any, quotas: Any, day: date) -> Overrides:
    """The overrides for ``day`` from the stored settings (``CLOSED_KEY``, ``QUOTAS_KEY``; None if unset)."""
    today = closed.get(day.isoformat(), {}) if isinstance(closed, dict) else {}
    return Overrides(
        closed_all=bool(today.get("all")) if isinstance(today, dict) else False,
        closed_services=frozenset(today.get("services") or ()) if isinstance(today, dict) else frozenset(),
        quotas={str(k): (int(v) if v is not None else None) for k, v in quotas.items()}
        if isinstance(quotas, dict) else {},
    )


def quota_of(office: Office, service_code: str, overrides: Overrides) -> int | None:
    """Today's quota of a service: the staff's override, else the catalogue's (None: unlimited)."""
    return overrides.quotas[service_code] if service_code in overrides.quotas else office.quotas.get(service_code)


def evaluate(office: Office, service_code: str, now: datetime, issued: int = 0,
             overrides: Overrides | None = None, always_open: bool = False) -> State:
    """The state of one service at ``now`` given today's count and the staff overrides."""
    overrides = overrides or Overrides()
    now = local(now, office.timezone)
    quota = quota_of(office, service_code, overrides)
    if not always_open:
        if is_holiday(office, now.date()):
            return State(False, "holiday", next_opening(office, now), quota, issued)
        if not within_hours(office, now):
            return State(False, "outside_hours", next_opening(office, now), quota, issued)
    if overrides.closed_all:
        return State(False, "office_closed", next_opening(office, now, next_day=True), quota, issued)
    if service_code in overrides.closed_services:
        return State(False, "service_closed", next_opening(office, now, next_day=True), quota, issued)
    if quota is not None and issued >= quota:
        return State(False, "quota_full", next_opening(office, now, next_day=True), quota, issued)
    return State(True, quota=quota, issued=issued)


def office_windows(office: Office, day: date) -> list[tuple[datetime, datetime]]:
    """The local times on ``day`` when the office works (its hours, without the kiosk's last-ticket
    margin); none on a holiday or a closed weekday; the whole day when the office sets no hours."""
    tz = ZoneInfo(office.timezone)
    if is_holiday(office, day):
        return []
    if office.hours is None:
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        return [(midnight, midnight + timedelta(days=1))]
    return [(_at(day, start, tz), _at(day, end, tz)) for start, end in office.hours[day.weekday()]
            if _at(day, end, tz) > _at(day, start, tz)]


def working_minutes(office: Office, start: datetime, end: datetime) -> float:
    """The office's working minutes between ``start`` and ``end``: only the time inside its hours
    counts, so a request taken on Friday afternoon and finished on Monday morning is charged the
    end of Friday and the start of Monday, never the weekend or a holiday. 0 when ``end`` is not
    after ``start``."""
    if end <= start:
        return 0.0
    a, b = local(start, office.timezone), local(end, office.timezone)
    total = 0.0
    day = a.date()
    while day <= b.date():
        for w_start, w_end in office_windows(office, day):
            lo, hi = max(a, w_start), min(b, w_end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def working_day_minutes(office: Office) -> float:
    """The minutes of the office's longest working day (a "hari kerja" when a time is shown in
    days); a full day when the office sets no hours."""
    if office.hours is None:
        return 24 * 60.0
    longest = 0.0
    for ranges in office.hours:
        minutes = 0.0
        for start, end in ranges:
            (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
            minutes += max(0, (h2 * 60 + m2) - (h1 * 60 + m1))
        longest = max(longest, minutes)
    return longest or 24 * 60.0

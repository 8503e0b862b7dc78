"""When the kiosk may issue a ticket for a service.

The rules, in the order they are checked:

1. office hours per weekday (Friday hours too) and holidays, from the catalogue's ``office``
   section (``hours``, ``holidays``, ``last_ticket_minutes``); skipped when the installation runs
   "always open" (``ANTREAN_ALWAYS_OPEN=1``: tests, demos, a 24-hour service);
2. the whole office closed for today by staff (a run-time override);
3. one service closed for today by staff (a run-time override);
4. the service's daily quota (``office.quotas`` in the catalogue, overridden at run time).

Run-time overrides live in the ``settings`` table, so every server process sees them and they
survive a restart; a closure is stored under its office day and ends by itself at midnight.

Plain Python over SQLAlchemy sessions: no Flask. The kiosk turns a ``State`` into words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from antrean.shared.domain import numbering
from antrean.shared.domain.catalogue import Office, Service
from antrean.shared.domain.clock import local
from antrean.shared.services.desk import Actor, Conflict, Desk, NotFound, OperationError
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, Setting, Ticket

CLOSED_KEY = "availability.closed"  # {"2026-11-24": {"all": false, "services": ["ektp"]}}
QUOTAS_KEY = "availability.quotas"  # {"ektp": 40}: replaces the catalogue's quota for a service
REASONS = ("outside_hours", "holiday", "office_closed", "service_closed", "quota_full")
LOOKAHEAD_DAYS = 40  # how far to look for the next opening (long holidays, Lebaran)

# Who may close a service or change a quota on the staff screen.
MANAGER_ROLES = frozenset({"petugas_pelayanan", "kasi_pelayanan", "sekcam", "camat", "admin"})


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


class ServiceClosed(Conflict):
    """The kiosk may not issue a ticket for this service now (HTTP 409)."""

    def __init__(self, service: Service, state: State):
        super().__init__(state.error(service.name), state.reason or "closed")
        self.service = service
        self.state = state


# -- the rules (pure) ------------------------------------------------------------------------


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
        start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        return [(start, start + timedelta(days=1))]
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


def evaluate(office: Office, service_code: str, now: datetime, issued: int = 0,
             overrides: Overrides | None = None, always_open: bool = False) -> State:
    """The state of one service at ``now`` given today's count and the staff overrides."""
    overrides = overrides or Overrides()
    now = local(now, office.timezone)
    quota = quota_of(office, service_code, overrides)
    base = {"quota": quota, "issued": issued}
    if not always_open:
        if is_holiday(office, now.date()):
            return State(False, "holiday", next_opening(office, now), **base)
        if not within_hours(office, now):
            return State(False, "outside_hours", next_opening(office, now), **base)
    if overrides.closed_all:
        return State(False, "office_closed", next_opening(office, now, next_day=True), **base)
    if service_code in overrides.closed_services:
        return State(False, "service_closed", next_opening(office, now, next_day=True), **base)
    if quota is not None and issued >= quota:
        return State(False, "quota_full", next_opening(office, now, next_day=True), **base)
    return State(True, **base)


# -- reading the database --------------------------------------------------------------------


def _setting(s: Session, key: str, default: Any) -> Any:
    row = s.get(Setting, key)
    return default if row is None or row.value is None else row.value


def overrides_of(closed: Any, quotas: Any, day: date) -> Overrides:
    """The overrides for ``day`` from the stored settings (``CLOSED_KEY``, ``QUOTAS_KEY``; None if unset)."""
    today = closed.get(day.isoformat(), {}) if isinstance(closed, dict) else {}
    return Overrides(
        closed_all=bool(today.get("all")) if isinstance(today, dict) else False,
        closed_services=frozenset(today.get("services") or ()) if isinstance(today, dict) else frozenset(),
        quotas={str(k): (int(v) if v is not None else None) for k, v in quotas.items()}
        if isinstance(quotas, dict) else {},
    )


def load_overrides(s: Session, day: date) -> Overrides:
    return overrides_of(_setting(s, CLOSED_KEY, {}), _setting(s, QUOTAS_KEY, {}), day)


def quota_of(office: Office, service_code: str, overrides: Overrides) -> int | None:
    """Today's quota of a service: the staff's override, else the catalogue's (None: unlimited)."""
    return overrides.quotas[service_code] if service_code in overrides.quotas else office.quotas.get(service_code)


def issued_counts(s: Session, day: date) -> dict[str, int]:
    rows = s.execute(select(Ticket.service_code, func.count()).where(Ticket.office_day == day)
                     .group_by(Ticket.service_code)).all()
    return {code: n for code, n in rows}


def service_states(desk: Desk, s: Session | None = None, now: datetime | None = None) -> dict[str, State]:
    """Every service's state now, in catalogue order."""
    now = now or desk.clock()
    if s is None:
        with reading(desk.sessions) as s2:
            return service_states(desk, s2, now)
    day = numbering.office_day(now, desk.tz)
    overrides = load_overrides(s, day)
    counts = issued_counts(s, day)
    office = desk.catalogue.office
    always = bool(getattr(desk, "always_open", False))
    return {code: evaluate(office, code, now, counts.get(code, 0), overrides, always)
            for code in desk.catalogue.services}


# -- staff changes (one transaction each, audited) -------------------------------------------


def _check_role(actor: Actor) -> None:
    from antrean.shared.services.desk import Forbidden

    if not actor.roles & MANAGER_ROLES:
        raise Forbidden("only the service desk staff, the Kasi, the Sekcam, the Camat or an admin "
                        "may change what the kiosk offers")


def _store(s: Session, key: str, value: Any, actor: Actor, now: datetime) -> None:
    row = s.get(Setting, key, with_for_update=s.get_bind().dialect.name == "postgresql")
    if row is None:
        row = Setting(key=key)
        s.add(row)
    row.value = value
    row.updated_at = now
    row.updated_by = actor.user_id


def set_closed(desk: Desk, actor: Actor, service_code: str | None, closed: bool) -> dict[str, Any]:
    """Close (or reopen) one service, or with ``service_code=None`` the whole kiosk, for today."""
    _check_role(actor)
    if service_code is not None and service_code not in desk.catalogue.services:
        raise NotFound(f"unknown service {service_code!r}")
    now = desk.clock()
    day = numbering.office_day(now, desk.tz).isoformat()
    with transaction(desk.sessions) as s:
        value = _setting(s, CLOSED_KEY, {})
        value = {d: v for d, v in (value if isinstance(value, dict) else {}).items() if d >= day}
        today = dict(value.get(day) or {"all": False, "services": []})
        before = {"all": bool(today.get("all")), "services": sorted(today.get("services") or [])}
        if service_code is None:
            today["all"] = bool(closed)
        else:
            services = set(today.get("services") or [])
            (services.add if closed else services.discard)(service_code)
            today["services"] = sorted(services)
        value[day] = today
        _store(s, CLOSED_KEY, value, actor, now)
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                         role=next(iter(sorted(actor.roles & MANAGER_ROLES)), None),
                         action="kiosk:close" if closed else "kiosk:open", before=before,
                         after={"day": day, "service": service_code or "*", "all": today["all"],
                                "services": today["services"]}))
    return {"day": day, "all": today["all"], "services": today["services"]}


def set_quota(desk: Desk, actor: Actor, service_code: str, quota: Any) -> dict[str, Any]:
    """Set a service's daily quota (``None``: back to the catalogue's)."""
    _check_role(actor)
    if service_code not in desk.catalogue.services:
        raise NotFound(f"unknown service {service_code!r}")
    if quota is not None:
        try:
            quota = int(quota)
        except (TypeError, ValueError):
            raise OperationError("the quota must be a whole number", "bad_quota") from None
        if not 0 <= quota <= 10000:
            raise OperationError("the quota must be from 0 to 10000", "bad_quota")
    now = desk.clock()
    with transaction(desk.sessions) as s:
        value = dict(_setting(s, QUOTAS_KEY, {}) or {})
        before = {"quota": value.get(service_code, desk.catalogue.office.quotas.get(service_code))}
        if quota is None:
            value.pop(service_code, None)
        else:
            value[service_code] = quota
        _store(s, QUOTAS_KEY, value, actor, now)
        effective = value.get(service_code, desk.catalogue.office.quotas.get(service_code))
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                         role=next(iter(sorted(actor.roles & MANAGER_ROLES)), None),
                         action="kiosk:quota", before=before,
                         after={"service": service_code, "quota": effective}))
    return {"service": service_code, "quota": effective}

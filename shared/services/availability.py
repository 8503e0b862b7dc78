"""When the kiosk may issue a ticket for a service: the staff's run-time overrides (close the office or
one service for today, change a daily quota) and every service's state now.

The rules themselves are in ``domain.opening_hours``. Run-time overrides live in the ``settings``
table, so every server process sees them and they survive a restart; a closure is stored under its
office day and ends by itself at midnight.

Plain Python over SQLAlchemy sessions: no Flask. The kiosk turns a ``State`` into words.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from antrean.shared.domain import numbering
from antrean.shared.domain.catalogue import MAX_DAILY_QUOTA, Service
from antrean.shared.domain.opening_hours import (
    CLOSED_KEY,
    QUOTAS_KEY,
    Overrides,
    State,
    evaluate,
    overrides_of,
)
from antrean.shared.services.context import Context
from antrean.shared.services.errors import Actor, Conflict, Forbidden, NotFound, OperationError
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction
from antrean.shared.store.models import AuditEntry, Ticket

# Who may close a service or change a quota on the staff screen.
MANAGER_ROLES = frozenset({"petugas_pelayanan", "kasi_pelayanan", "sekcam", "camat", "admin"})


class ServiceClosed(Conflict):
    """The kiosk may not issue a ticket for this service now (HTTP 409)."""

    def __init__(self, service: Service, state: State):
        super().__init__(state.error(service.name), state.reason or "closed")
        self.service = service
        self.state = state


# -- reading the database --------------------------------------------------------------------


def load_overrides(s: Session, day: date) -> Overrides:
    stored = settings.read(s, (CLOSED_KEY, QUOTAS_KEY))
    return overrides_of(stored.get(CLOSED_KEY, {}), stored.get(QUOTAS_KEY, {}), day)


def issued_counts(s: Session, day: date) -> dict[str, int]:
    rows = s.execute(select(Ticket.service_code, func.count()).where(Ticket.office_day == day)
                     .group_by(Ticket.service_code)).all()
    return {code: n for code, n in rows}


def service_states(ctx: Context, s: Session | None = None, now: datetime | None = None) -> dict[str, State]:
    """Every service's state now, in catalogue order."""
    now = now or ctx.clock()
    if s is None:
        with reading(ctx.sessions) as s2:
            return service_states(ctx, s2, now)
    day = numbering.office_day(now, ctx.tz)
    overrides = load_overrides(s, day)
    counts = issued_counts(s, day)
    office = ctx.catalogue.office
    always = bool(ctx.always_open)
    return {code: evaluate(office, code, now, counts.get(code, 0), overrides, always)
            for code in ctx.catalogue.services}


# -- staff changes (one transaction each, audited) -------------------------------------------


def _check_role(actor: Actor) -> None:
    if not actor.roles & MANAGER_ROLES:
        raise Forbidden("Hanya petugas pelayanan, Kasi, Sekcam, Camat atau admin yang dapat mengubah "
                        "layanan kios.")


def set_closed(ctx: Context, actor: Actor, service_code: str | None, closed: bool) -> dict[str, Any]:
    """Close (or reopen) one service, or with ``service_code=None`` the whole kiosk, for today."""
    _check_role(actor)
    if service_code is not None and service_code not in ctx.catalogue.services:
        raise NotFound(f"Layanan {service_code!r:.60} tidak dikenal.")
    now = ctx.clock()
    day = numbering.office_day(now, ctx.tz).isoformat()
    with transaction(ctx.sessions) as s:
        value = settings.get_for_update(s, CLOSED_KEY, {})
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
        settings.put(s, CLOSED_KEY, value, now, actor.user_id)
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                         role=next(iter(sorted(actor.roles & MANAGER_ROLES)), None),
                         action="kiosk:close" if closed else "kiosk:open", before=before,
                         after={"day": day, "service": service_code or "*", "all": today["all"],
                                "services": today["services"]}))
    return {"day": day, "all": today["all"], "services": today["services"]}


def set_quota(ctx: Context, actor: Actor, service_code: str | None, quota: Any) -> dict[str, Any]:
    """Set a service's daily quota (``None``: back to the catalogue's)."""
    _check_role(actor)
    if service_code is None or service_code not in ctx.catalogue.services:
        raise NotFound(f"Layanan {service_code!r:.60} tidak dikenal.")
    if quota is not None:
        whole = quota if isinstance(quota, int) and not isinstance(quota, bool) else (
            int(quota.strip()) if isinstance(quota, str) and quota.strip().isascii() and quota.strip().isdigit()
            and len(quota.strip()) < 10 else None)
        if whole is None:
            raise OperationError(f"Kuota harus bilangan bulat 0 sampai {MAX_DAILY_QUOTA}.", "bad_quota")
        if not 0 <= whole <= MAX_DAILY_QUOTA:
            raise OperationError(f"Kuota harus 0 sampai {MAX_DAILY_QUOTA}.", "bad_quota")
        quota = whole
    now = ctx.clock()
    with transaction(ctx.sessions) as s:
        value = dict(settings.get_for_update(s, QUOTAS_KEY, {}) or {})
        before = {"quota": value.get(service_code, ctx.catalogue.office.quotas.get(service_code))}
        if quota is None:
            value.pop(service_code, None)
        else:
            value[service_code] = quota
        settings.put(s, QUOTAS_KEY, value, now, actor.user_id)
        effective = value.get(service_code, ctx.catalogue.office.quotas.get(service_code))
        s.add(AuditEntry(at=now, user_id=actor.user_id, username=actor.username,
                         role=next(iter(sorted(actor.roles & MANAGER_ROLES)), None),
                         action="kiosk:quota", before=before,
                         after={"service": service_code, "quota": effective}))
    return {"service": service_code, "quota": effective}

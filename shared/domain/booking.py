"""Booking a visit and joining today's queue from afar: the rules over plain values (docs/booking.md).

- **Sessions.** A service is booked for a date and a session. The sessions of a day come from the
  office hours (``opening_hours.office_windows``): the part of the day's hours before noon is the
  morning session (``pagi``), the part from noon on the afternoon session (``siang``). A holiday or
  a closed weekday has none; an office without hours has a morning 00:00-12:00 and an afternoon
  12:00-24:00.
- **Quota.** Each service takes at most its quota of bookings per session (the setting
  ``booking.quotas``, {service: n}; a service not in it takes ``booking.default_quota``, default
  ``DEFAULT_QUOTA``; 0: no booking for that service). Values are bounded by ``QUOTA_BOUNDS``.
- **When.** A session can be booked until it starts (never in the past) and at most
  ``booking.days_ahead`` days ahead (default ``DEFAULT_DAYS_AHEAD``).
- **Code.** A booking is found by its code only: ``CODE_LENGTH`` characters of ``ALPHABET`` (no 0/O,
  1/I/L: read aloud and typed without doubt), drawn by ``secrets``: 31^8, about 8.5e11 codes (39
  bits); lookups are rate-limited per address, so guessing one is hopeless.
- **Check-in** (the place in the queue): ``queue.booked_since``, the calling order's rule.
- **No-show.** A booking not checked in by its session's end (a remote join: by the office day's
  end) is marked ``no_show``; it never held a place in the waiting queue (a booking becomes a ticket
  only at check-in), so nothing in the queue waits for it.
- **Remote join** (same day): where ``booking.remote`` names the service with a daily cap, a citizen
  joins today's queue from afar; the place is the moment they joined, kept until check-in at the
  kiosk (``queue.booked_since`` with no session): until then there is no ticket, so nobody calls it.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from antrean.shared.domain.catalogue import Office
from antrean.shared.domain.opening_hours import office_windows

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_PATTERN = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")

MORNING = "pagi"
AFTERNOON = "siang"
SESSIONS = (MORNING, AFTERNOON)
NOON = time(12, 0)

BOOKING = "booking"  # a date and a session, booked ahead
REMOTE = "remote"  # today's queue, joined from afar
KINDS = (BOOKING, REMOTE)

BOOKED = "booked"
CHECKED_IN = "checked_in"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
ACTIVE = (BOOKED, CHECKED_IN)  # the statuses that hold a place of a session's quota

QUOTAS_KEY = "booking.quotas"  # {"ktp": 8}: bookings per session of a service
DEFAULT_QUOTA_KEY = "booking.default_quota"
DAYS_AHEAD_KEY = "booking.days_ahead"
GRACE_KEY = "booking.grace_minutes"
REMOTE_KEY = "booking.remote"  # {"ktp": 20}: remote joins per day of a service (absent: not allowed)
TRAVEL_KEY = "booking.travel_minutes"
SETTING_KEYS = (QUOTAS_KEY, DEFAULT_QUOTA_KEY, DAYS_AHEAD_KEY, GRACE_KEY, REMOTE_KEY, TRAVEL_KEY)

DEFAULT_QUOTA = 10
DEFAULT_DAYS_AHEAD = 14
DEFAULT_GRACE_MINUTES = 15
DEFAULT_TRAVEL_MINUTES = 30
QUOTA_BOUNDS = (0, 500)
DAYS_AHEAD_BOUNDS = (1, 90)
GRACE_BOUNDS = (0, 120)
REMOTE_BOUNDS = (0, 500)
TRAVEL_BOUNDS = (0, 600)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: Any) -> str | None:
    """A typed or scanned code as stored: capitals, without spaces or dashes; None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = re.sub(r"[\s-]", "", text).upper()
    return code if CODE_PATTERN.fullmatch(code) else None


def shown_code(code: str) -> str:
    """``"ABCD-EFGH"``: the code as printed and read aloud."""
    return f"{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Session:
    code: str  # MORNING or AFTERNOON
    start: datetime  # local time
    end: datetime


def sessions(office: Office, day: date) -> list[Session]:
    """The bookable sessions of ``day`` from the office hours (none on a holiday or a closed day)."""
    tz = ZoneInfo(office.timezone)
    noon = datetime.combine(day, NOON, tzinfo=tz)
    parts: dict[str, list[tuple[datetime, datetime]]] = {MORNING: [], AFTERNOON: []}
    for start, end in office_windows(office, day):
        if start < noon:
            parts[MORNING].append((start, min(end, noon)))
        if end > noon:
            parts[AFTERNOON].append((max(start, noon), end))
    return [Session(code, min(a for a, _ in ranges), max(b for _, b in ranges))
            for code, ranges in parts.items() if ranges and any(b > a for a, b in ranges)]


def session_of(office: Office, day: date, code: str) -> Session | None:
    return next((s for s in sessions(office, day) if s.code == code), None)


def bounded(value: Any, bounds: tuple[int, int], default: int) -> int:
    """A whole-number setting inside its bounds; anything else: ``default``."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if bounds[0] <= number <= bounds[1] else default


@dataclass(frozen=True)
class Settings:
    quotas: dict[str, int]
    default_quota: int = DEFAULT_QUOTA
    days_ahead: int = DEFAULT_DAYS_AHEAD
    grace_minutes: int = DEFAULT_GRACE_MINUTES
    remote: dict[str, int] | None = None
    travel_minutes: int = DEFAULT_TRAVEL_MINUTES

    def quota(self, service_code: str) -> int:
        return self.quotas.get(service_code, self.default_quota)

    def remote_cap(self, service_code: str) -> int:
        """Remote joins a day for the service (0: not allowed, the default)."""
        return (self.remote or {}).get(service_code, 0)


def settings_of(stored: dict[str, Any]) -> Settings:
    """The booking settings from the stored values (``SETTING_KEYS``), each bounded."""
    def per_service(value: Any, bounds: tuple[int, int]) -> dict[str, int]:
        if not isinstance(value, dict):
            return {}
        out = {}
        for code, n in value.items():
            number = bounded(n, bounds, -1)
            if number >= 0:
                out[str(code)] = number
        return out

    return Settings(
        quotas=per_service(stored.get(QUOTAS_KEY), QUOTA_BOUNDS),
        default_quota=bounded(stored.get(DEFAULT_QUOTA_KEY, DEFAULT_QUOTA), QUOTA_BOUNDS, DEFAULT_QUOTA),
        days_ahead=bounded(stored.get(DAYS_AHEAD_KEY, DEFAULT_DAYS_AHEAD), DAYS_AHEAD_BOUNDS, DEFAULT_DAYS_AHEAD),
        grace_minutes=bounded(stored.get(GRACE_KEY, DEFAULT_GRACE_MINUTES), GRACE_BOUNDS, DEFAULT_GRACE_MINUTES),
        remote=per_service(stored.get(REMOTE_KEY), REMOTE_BOUNDS),
        travel_minutes=bounded(stored.get(TRAVEL_KEY, DEFAULT_TRAVEL_MINUTES), TRAVEL_BOUNDS,
                               DEFAULT_TRAVEL_MINUTES),
    )


# why a date and session cannot be booked (the web layer words them)
PAST = "past"
TOO_FAR = "too_far"
NO_SESSION = "no_session"  # a holiday, a closed day, or no such session that day
NOT_BOOKABLE = "not_bookable"  # the service takes no bookings (quota 0)


def refusal(office: Office, day: date, session_code: str, now: datetime, days_ahead: int) -> str | None:
    """Why ``session_code`` on ``day`` cannot be booked at ``now`` (local or aware), or None."""
    now = now.astimezone(ZoneInfo(office.timezone))
    if day < now.date():
        return PAST
    if day > now.date() + timedelta(days=days_ahead):
        return TOO_FAR
    found = session_of(office, day, session_code)
    if found is None:
        return NO_SESSION
    if found.start <= now:
        return PAST
    return None


def bookable_days(office: Office, now: datetime, days_ahead: int) -> list[tuple[date, list[Session]]]:
    """The days from today to ``days_ahead`` with the sessions still open to booking."""
    now = now.astimezone(ZoneInfo(office.timezone))
    out = []
    for i in range(days_ahead + 1):
        day = now.date() + timedelta(days=i)
        open_ = [s for s in sessions(office, day) if s.start > now]
        if open_:
            out.append((day, open_))
    return out


def is_no_show(office: Office, kind: str, day: date, session_code: str | None, now: datetime) -> bool:
    """Whether a booking still ``booked`` at ``now`` is a no-show: its session (a remote join: its
    day) is over."""
    now = now.astimezone(ZoneInfo(office.timezone))
    if kind == REMOTE or session_code is None:
        return now.date() > day
    found = session_of(office, day, session_code)
    return found is None or now >= found.end or now.date() > day


def leave_at(now: datetime, wait_minutes: float, travel_minutes: int) -> datetime:
    """When a remote joiner should set off: their turn (``now`` + the wait estimate) less the travel
    time; ``now`` when that moment has come ("berangkat sekarang")."""
    return max(now, now + timedelta(minutes=wait_minutes - travel_minutes))

"""Ticket numbers and agenda numbers: pure functions. The atomic counter they draw from is
``antrean.shared.store.sequences.next_value``."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def office_day(at: datetime, tz: str) -> date:
    """The office's calendar day of an instant (numbering resets at local midnight)."""
    return at.astimezone(ZoneInfo(tz)).date()


def ticket_number(prefix: str, seq: int) -> str:
    """A001 ... A999, then A1000: the number widens, it never wraps."""
    return f"{prefix}{seq:03d}"


def agenda_number(pattern: str, *, kode: str, urut: int, kantor: str, tahun: int) -> str:
    """The register (agenda) number in the office's format, e.g. 474/012/406.07/2026."""
    try:
        return pattern.format(kode=kode, urut=urut, kantor=kantor, tahun=tahun)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        raise ValueError(f"agenda format {pattern!r} is not valid: {exc}") from None

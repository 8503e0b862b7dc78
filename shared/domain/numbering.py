"""Ticket numbers, agenda numbers and pickup codes: pure functions. The atomic counter they draw from is
``antrean.shared.store.sequences.next_value``."""
from __future__ import annotations

import secrets
from collections.abc import Callable
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


# The pickup code a returned or finished file is collected with: no look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z)
PICKUP_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
PICKUP_LENGTH = 6
_PICKUP_CODES = len(PICKUP_ALPHABET) ** PICKUP_LENGTH  # 25**6: about 244 million


def pickup_code(draw: Callable[[int], int] = secrets.randbelow) -> str:
    """Six characters of ``PICKUP_ALPHABET``, uniformly random, from one draw (not one per character):
    the draw's base-25 digits."""
    n = draw(_PICKUP_CODES)
    chars = []
    for _ in range(PICKUP_LENGTH):
        n, digit = divmod(n, len(PICKUP_ALPHABET))
        chars.append(PICKUP_ALPHABET[digit])
    return "".join(chars)

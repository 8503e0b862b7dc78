"""Time: UTC inside, the office's zone at the edges. Tests pass their own clock."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


# Indonesia's three zones by their IANA names (Pontianak, West Kalimantan, is WIB too): the one table
# the displays, the printed tickets and the texts use.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_abbreviation(tz: str) -> str:
    """WIB, WITA or WIT for Indonesia's zones, else the zone's own name."""
    return ZONE_ABBREVIATIONS.get(tz, tz)

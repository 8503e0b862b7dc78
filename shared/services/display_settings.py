"""The display's settings staff change at run time, kept in the ``settings`` table (model ``Setting``).

Keys: ``running_text`` (the ticker at the bottom of the waiting-room screen), ``announce_lang``
(``id``, ``en`` or ``id+en``: Indonesian then English) and ``announce_reading`` (``number``:
A012 is "A dua belas"; ``digits``: "A nol satu dua"). Plain SQLAlchemy, no Flask.
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.announce import ANNOUNCE_LANGS, READINGS
from antrean.shared.store import settings
from antrean.shared.store.db import reading, transaction

RUNNING_TEXT_MAX = 500
KEYS = ("running_text", "announce_lang", "announce_reading")


@dataclass(frozen=True)
class DisplaySettings:
    running_text: str = ""
    announce_lang: str = "id"
    announce_reading: str = "number"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SettingsError(ValueError):
    pass


def clean(values: dict[str, Any], current: DisplaySettings) -> DisplaySettings:
    """Checked new settings; unknown values are refused, missing ones kept."""
    text = values.get("running_text", current.running_text)
    text = " ".join(str(text or "").split())  # one line: the ticker scrolls it
    if len(text) > RUNNING_TEXT_MAX:
        raise SettingsError(f"running text is longer than {RUNNING_TEXT_MAX} characters")
    lang = values.get("announce_lang") or current.announce_lang
    if lang not in ANNOUNCE_LANGS:
        raise SettingsError(f"announce_lang must be one of {', '.join(ANNOUNCE_LANGS)}")
    reading = values.get("announce_reading") or current.announce_reading
    if reading not in READINGS:
        raise SettingsError(f"announce_reading must be one of {', '.join(READINGS)}")
    return DisplaySettings(text, lang, reading)


class SettingsStore:
    """Reads the settings with a short in-memory cache (every snapshot asks for them) and writes
    them in one transaction. ``ttl`` bounds how stale another server process can see them."""

    def __init__(self, sessions: sessionmaker[Session], ttl: float = 2.0):
        self.sessions = sessions
        self.ttl = ttl
        self._cached: tuple[float, DisplaySettings] | None = None
        self._lock = threading.Lock()

    def get(self) -> DisplaySettings:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self.ttl:
                return self._cached[1]
        with reading(self.sessions) as s:
            rows = settings.read(s, KEYS)
        defaults = DisplaySettings()
        found = {k: rows[k] for k in KEYS if isinstance(rows.get(k), str)}
        try:
            value = clean(found, defaults)
        except SettingsError:  # a value written by hand that is no longer valid: fall back
            value = defaults
        with self._lock:
            self._cached = (time.monotonic(), value)
        return value

    def save(self, values: dict[str, Any], user_id: int | None, now: datetime) -> DisplaySettings:
        new = clean(values, self.get())
        with transaction(self.sessions) as s:
            for key, value in new.to_dict().items():
                if settings.get(s, key) != value:
                    settings.put(s, key, value, now, user_id)
        with self._lock:
            self._cached = (time.monotonic(), new)
        return new


"""The catalogue in force: the shipped data file until the administrator saves an edit, then the newest
saved version (table ``catalogue_versions``). Plain Python over SQLAlchemy; no Flask.

Every process reads the newest version id at most every ``ttl`` seconds, so an edit made through one
server process takes effect in the others within that time, and in its own process at once.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.domain.catalogue import Catalogue, CatalogueError, parse_catalogue
from antrean.shared.store.db import reading
from antrean.shared.store.models import CatalogueVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionInfo:
    id: int
    created_at: datetime
    created_by: int | None
    note: str


class CatalogueStore:
    def __init__(self, sessions: sessionmaker[Session], shipped: Catalogue, ttl: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic):
        self.sessions = sessions
        self.shipped = shipped
        self.ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._version = 0  # 0: the shipped file
        self._catalogue = shipped
        self._checked = float("-inf")

    @property
    def source(self) -> str:
        """Where the catalogue in force comes from, for the administration page."""
        return self.shipped.path if self._version == 0 else f"versi {self._version}"

    def current(self) -> Catalogue:
        if self._monotonic() - self._checked >= self.ttl:
            self.refresh()
        return self._catalogue

    @property
    def version(self) -> int:
        self.current()
        return self._version

    def refresh(self) -> None:
        """Read the newest version if it changed. Called from inside other operations' transactions, so it
        reads on a plain DB-API connection: on SQLite a read there never waits for the write lock."""
        raw = self.sessions.kw["bind"].raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT max(id) FROM catalogue_versions")
            newest = cur.fetchone()[0] or 0
            catalogue = None
            if newest != self._version:
                cur.execute("SELECT id, data FROM catalogue_versions ORDER BY id DESC LIMIT 1")
                newest, data = cur.fetchone()
                data = json.loads(data) if isinstance(data, (str, bytes)) else data
                try:
                    catalogue = parse_catalogue(data, f"versi {newest}")
                except CatalogueError as exc:  # never expected: every version was validated when saved
                    log.error("catalogue version %s is not valid, keeping the one in force: %s", newest, exc)
            cur.close()
            raw.rollback()
        finally:
            raw.close()
        with self._lock:
            if catalogue is not None and newest > self._version:
                self._catalogue, self._version = catalogue, newest
            self._checked = self._monotonic()

    def add(self, s: Session, data: dict[str, Any], user_id: int | None, note: str, now: datetime) -> tuple[int, Catalogue]:
        """Validate ``data`` (raises CatalogueError, nothing written) and add it as the newest version in
        the caller's transaction. Call ``installed`` after the commit to use it in this process at once."""
        catalogue = parse_catalogue(data, "katalog")
        row = CatalogueVersion(created_at=now, created_by=user_id, note=note[:200], data=data)
        s.add(row)
        s.flush()
        return row.id, catalogue

    def installed(self, version: int, catalogue: Catalogue) -> None:
        with self._lock:
            if version > self._version:
                self._catalogue, self._version = catalogue, version

    def history(self, limit: int = 50) -> list[VersionInfo]:
        with reading(self.sessions) as s:
            rows = s.execute(select(CatalogueVersion.id, CatalogueVersion.created_at, CatalogueVersion.created_by,
                                    CatalogueVersion.note)
                             .order_by(CatalogueVersion.id.desc()).limit(limit)).all()
        return [VersionInfo(*r) for r in rows]

    def data_of(self, version: int) -> dict[str, Any] | None:
        with reading(self.sessions) as s:
            row = s.get(CatalogueVersion, version)
            return row.data if row is not None else None

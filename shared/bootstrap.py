"""One bootstrap: configuration -> database (migrated) -> sessions -> catalogue in force -> the Desk.

The app (``shared/app.py``), the ``antrean`` command (``shared/cli/``), ``bench/`` and the tests all
build an office through these two functions, so the order of those steps is written once.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from antrean.shared.config import load_config
from antrean.shared.domain.catalogue import Catalogue, load_catalogue
from antrean.shared.domain.clock import utcnow
from antrean.shared.domain.events import EventBus
from antrean.shared.services.desk import Desk
from antrean.shared.store.catalogue_versions import CatalogueStore
from antrean.shared.store.db import DEFAULT_BUSY_SECONDS, make_engine, make_sessionmaker, upgrade
from antrean.shared.web.i18n import TRANSLATED, translator


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]


def open_database(url: str, busy_seconds: float = DEFAULT_BUSY_SECONDS, *, migrate: bool = True,
                  pool_size: int = 10, pool_seconds: float = 30.0) -> Database:
    """The database at ``url``, brought to the newest schema first (created from empty); the pool
    as ``make_engine`` (shared/store/db.py) says."""
    if migrate:
        upgrade(url)
    engine = make_engine(url, busy_seconds, pool_size=pool_size, pool_seconds=pool_seconds)
    return Database(engine, make_sessionmaker(engine))


def open_office(config: Mapping[str, Any] | None = None, *, sessions: sessionmaker[Session] | None = None,
                catalogue: Catalogue | None = None, events: EventBus | None = None,
                clock: Callable[[], datetime] = utcnow,
                status_url: Callable[[str], str] | None = None) -> Desk:
    """The office's Desk over the configured database, with the catalogue in force: the shipped file
    until the administrator saves an edit, then the newest saved version. A malformed catalogue file
    raises ``CatalogueError`` here, before anything is served. ``sessions`` (an open database) and
    ``catalogue`` replace the configured ones."""
    cfg = config if config is not None else load_config()
    shipped = catalogue if catalogue is not None else load_catalogue(cfg.get("CATALOGUE"))
    if sessions is None:
        sessions = open_database(cfg["DATABASE_URL"], cfg.get("DB_BUSY_SECONDS", DEFAULT_BUSY_SECONDS)).sessions
    extra = {"status_url": status_url} if status_url is not None else {}
    desk = Desk(shipped, sessions, events or EventBus(), clock=clock, **extra)
    desk.catalogue_store = CatalogueStore(sessions, shipped)
    desk.translators = {lang: translator(lang) for lang in TRANSLATED}
    desk.always_open = bool(cfg.get("ALWAYS_OPEN"))  # office hours do not stop the kiosk (tests, demos)
    return desk

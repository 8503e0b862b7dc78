"""Engine and sessions: SQLite (WAL, immediate transactions) by default, PostgreSQL by DATABASE_URL.

``transaction`` is a unit of work that may write; ``reading`` one that only reads (on SQLite it
takes no write lock, so displays, status pages and lists never wait behind a kiosk or a counter).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, event, literal
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_BUSY_SECONDS = 30.0
READ_ONLY = "antrean_read_only"  # execution option: this transaction only reads


def _no_result_rows(record: logging.LogRecord) -> bool:
    """At DEBUG SQLAlchemy logs every result row, names and NIKs included: those records are dropped."""
    return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_no_result_rows)


def in_each(column, values):
    """``column IN (?, ?, ?)`` with one bound parameter per value, for a small fixed set of values
    (setting keys, job states) in a statement built once. ``column.in_(values)`` would make one
    *expanding* parameter, whose SQL SQLAlchemy renders again at every execution (~15-20 us each
    on the issue path); this SQL is the same on every run, so the compiled statement is reused as is."""
    return column.in_([literal(v, column.type) for v in values])


def sqlalchemy_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str, busy_seconds: float = DEFAULT_BUSY_SECONDS, *, pool_size: int = 10,
                pool_seconds: float = 30.0) -> Engine:
    """``busy_seconds``: how long a SQLite writer waits for another one's lock (ANTREAN_DB_BUSY_SECONDS);
    on PostgreSQL, how long a new connection may take.

    PostgreSQL: ``pool_size`` connections are kept open (ANTREAN_DB_POOL_SIZE), twice as many more
    are opened at peaks, and a unit of work waits at most ``pool_seconds`` (ANTREAN_DB_POOL_SECONDS)
    for a free one; then SQLAlchemy's ``TimeoutError`` is raised, which the web layer answers with
    a 503 (``is_unavailable``)."""
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_seconds, "check_same_thread": False},
                               hide_parameters=True)
        _sqlite_immediate_transactions(engine, busy_seconds)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=2 * pool_size, pool_timeout=pool_seconds,
                         pool_pre_ping=True, hide_parameters=True,
                         connect_args={"connect_timeout": max(1, int(busy_seconds))})


def _sqlite_immediate_transactions(engine: Engine, busy_seconds: float = DEFAULT_BUSY_SECONDS) -> None:
    """Serialise writers at BEGIN, so two kiosks never read the same counter value.

    pysqlite's own transaction handling is turned off and every transaction starts with
    BEGIN IMMEDIATE (the recipe from SQLAlchemy's SQLite dialect documentation).
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A reader needs no lock at BEGIN: WAL gives it a consistent snapshot of its own.
        # through SQLAlchemy, not the driver's connection: a lock timeout must arrive as SQLAlchemy's
        # OperationalError, which retry_locked and the 503 handler know (tests/faults)
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def core_transaction(factory: sessionmaker[Session]) -> Iterator[Connection]:
    """Like ``transaction``, on a plain Connection of the same engine (no ORM Session): for hot
    paths that only run prepared Core statements (the print path: one per ticket)."""
    with factory.kw["bind"].begin() as conn:
        yield conn


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" (another writer held the lock longer than the busy timeout)."""
    return isinstance(exc, OperationalError) and "database is locked" in str(getattr(exc, "orig", exc))


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot answer now (locked, unreachable, connection lost, disk full, no free
    connection in the pool): worth a retry later, not a bug. The web layer answers 503 for these."""
    if isinstance(exc, (OperationalError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def retry_locked(work: Callable[[], T], attempts: int = 3, pause: float = 0.1) -> T:
    """Run ``work`` (one whole transaction) again when SQLite stayed locked past its busy timeout.

    Safe because a locked SQLite transaction fails at its BEGIN IMMEDIATE, before it wrote anything.
    Bounded: ``attempts`` tries with a short growing pause; the last error is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            if not is_locked(exc) or attempt == attempts:
                raise
            log.warning("database is locked (try %d of %d); trying again", attempt, attempts)
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads: one consistent snapshot, no write lock (SQLite: a deferred
    BEGIN instead of BEGIN IMMEDIATE; PostgreSQL: the same READ COMMITTED transaction as ever).
    Never write in it: on SQLite a write there could fail with "database is locked"."""
    session = factory()
    try:
        session.connection(execution_options={READ_ONLY: True})
        yield session
    finally:
        session.close()  # rolls the read transaction back


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the database to the newest schema (creates it from empty)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")

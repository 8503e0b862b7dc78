"""Ticket numbers and agenda numbers: pure functions, plus the atomic counter they draw from."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import Sequence


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


def next_value(session: Session | Connection, name: str, period: str) -> int:
    """Atomically take the next value of a counter inside the caller's transaction.

    One statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) on both SQLite and PostgreSQL,
    so two transactions can never take the same value; the counter row stays locked until commit.
    """
    dialect = (session if isinstance(session, Connection) else session.get_bind()).dialect.name
    stmt = _NEXT_VALUE.get(dialect)
    if stmt is None:
        raise RuntimeError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
    return session.execute(stmt, {"name": name, "period": period}).scalar_one()


def _next_value_statement(insert):
    stmt = insert(Sequence).values(name=bindparam("name"), period=bindparam("period"), last=1)
    return stmt.on_conflict_do_update(
        index_elements=[Sequence.name, Sequence.period], set_={"last": Sequence.last + 1}
    ).returning(Sequence.last)


_NEXT_VALUE = {"postgresql": _next_value_statement(postgresql.insert), "sqlite": _next_value_statement(sqlite.insert)}

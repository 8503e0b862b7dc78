"""The atomic counters ticket and agenda numbers draw from (table ``sequences``)."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from antrean.shared.store.models import Sequence


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

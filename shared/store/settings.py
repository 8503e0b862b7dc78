"""The settings repository: the one way to read and write the ``settings`` table.

Run-time settings are JSON values by key (the call rule, closures and quotas, the display's
settings, the office logo, the retention run). Reads take any Session or Connection (the kiosk's
hot path runs in SQLAlchemy Core) and fetch several keys in one ``SELECT``; writes go through a
Session, inside the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar, cast, overload

from sqlalchemy import Select, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from antrean.shared.store.db import in_each
from antrean.shared.store.models import Setting

T = TypeVar("T")

_table = cast(Table, Setting.__table__)  # a mapped class's table (typed as the wider FromClause)
_READS: dict[tuple[str, ...], Select[*tuple[Any, ...]]] = {}  # statements are built once per set of keys


def statement(keys: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    """``SELECT key, value FROM settings WHERE key IN (...)``, with one bound parameter per key."""
    built = _READS.get(keys)
    if built is None:
        if len(_READS) > 100:
            _READS.clear()
        built = select(_table.c.key, _table.c.value).where(in_each(_table.c.key, keys))
        _READS[keys] = built
    return built


def read(s: Session | Connection, keys: Iterable[str]) -> dict[str, Any]:
    """The stored values of ``keys`` in one query; keys unset (or set to null) are left out."""
    return {key: value for key, value in s.execute(statement(tuple(keys))) if value is not None}


@overload
def get(s: Session | Connection, key: str) -> Any: ...
@overload
def get(s: Session | Connection, key: str, default: T) -> Any | T: ...
def get(s: Session | Connection, key: str, default: Any = None) -> Any:
    """The stored value of ``key``, else ``default`` (also when it is stored as null)."""
    return read(s, (key,)).get(key, default)


def get_int(s: Session | Connection, key: str, default: int) -> int:
    """A whole-number setting; a stored value that is not one counts as unset."""
    value = get(s, key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def row(s: Session, key: str, lock: bool = False) -> Setting | None:
    """The row itself (``lock``: taken FOR UPDATE on PostgreSQL, for a read-modify-write or to claim
    a run among processes; SQLite's write transaction holds its lock anyway)."""
    for_update = lock and s.get_bind().dialect.name == "postgresql"
    return s.get(Setting, key, with_for_update=for_update)


def get_for_update(s: Session, key: str, default: Any = None) -> Any:
    """``get`` for a read-modify-write: the row stays locked (PostgreSQL) until the commit."""
    found = row(s, key, lock=True)
    return default if found is None or found.value is None else found.value


def put(s: Session, key: str, value: Any, now: datetime | None = None, user_id: int | None = None) -> None:
    """Store ``value`` under ``key`` (in the caller's transaction), noting when and by whom."""
    found = s.get(Setting, key)
    if found is None:
        found = Setting(key=key)
        s.add(found)
    found.value = value
    found.updated_at = now
    found.updated_by = user_id

"""Copy an office's database to another one: SQLite -> PostgreSQL when an office grows to several
server processes (docs/deployment.md#moving-a-sqlite-office-to-postgresql).

The target gets the newest schema (Alembic), must be empty, and receives every table in foreign-key
order in one transaction; PostgreSQL's id sequences are then moved past the copied ids, and the
row counts of both sides are compared. Times go through the models' types, so SQLite's naive UTC
texts arrive as ``timestamptz`` values of the same instant.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine

from antrean.shared.store import models
from antrean.shared.store.db import make_engine, upgrade

BATCH = 1000
SKIP = {"alembic_version"}  # written by the target's own upgrade


class CopyError(Exception):
    pass


@dataclass
class CopyResult:
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _check_same_tables(source: Engine) -> None:
    """Every table and column of the source must be known here, so nothing is left behind silently."""
    found = inspect(source)
    known = models.Base.metadata.tables
    unknown = [t for t in found.get_table_names() if t not in known and t not in SKIP]
    if unknown:
        raise CopyError(f"the source has tables this version does not copy: {', '.join(sorted(unknown))}")
    for name, table in known.items():
        if not found.has_table(name):
            continue
        extra = {c["name"] for c in found.get_columns(name)} - set(table.columns.keys())
        if extra:
            raise CopyError(f"the source table {name} has columns this version does not copy: {', '.join(sorted(extra))}")


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def copy_database(source_url: str, target_url: str, progress: Callable[[str, int], None] | None = None) -> CopyResult:
    if source_url == target_url:
        raise CopyError("the source and the target are the same database")
    upgrade(source_url)  # both sides at the newest schema: the same tables and columns
    upgrade(target_url)
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        if _revision(source) != _revision(target):
            raise CopyError(f"schema revisions differ: source {_revision(source)}, target {_revision(target)}")
        _check_same_tables(source)
        tables = [t for t in models.Base.metadata.sorted_tables if t.name not in SKIP]
        result = CopyResult()
        with source.connect() as src, target.begin() as dst:
            for table in tables:
                if dst.execute(select(func.count()).select_from(table)).scalar():
                    raise CopyError(f"the target is not empty (table {table.name} has rows); "
                                    "copy into a new, empty database")
            for table in tables:
                copied = 0
                order = list(table.primary_key.columns) or list(table.columns)
                rows = src.execution_options(stream_results=True).execute(select(table).order_by(*order))
                while batch := rows.fetchmany(BATCH):
                    dst.execute(table.insert(), [dict(r._mapping) for r in batch])
                    copied += len(batch)
                result.rows[table.name] = copied
                if progress:
                    progress(table.name, copied)
            if target.dialect.name == "postgresql":
                _fix_sequences(dst, tables)
            for table in tables:  # the same count on both sides, or nothing is committed
                there = dst.execute(select(func.count()).select_from(table)).scalar()
                if there != result.rows[table.name]:
                    raise CopyError(f"{table.name}: copied {result.rows[table.name]} rows but the target has {there}")
        return result
    finally:
        source.dispose()
        target.dispose()


def _fix_sequences(conn, tables) -> None:
    """Move each serial id's sequence past the highest copied id (explicit ids do not advance it)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}).scalar()
        if seq is None:
            continue
        conn.execute(text(f'SELECT setval(:seq, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 1), '
                          f'(SELECT MAX("{pk[0].name}") FROM "{table.name}") IS NOT NULL)'), {"seq": seq})

"""Alembic: upgrade from empty works on SQLite and PostgreSQL, and the models match the migrations."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from antrean.shared.store.db import make_engine, upgrade
from antrean.shared.store.models import Base

TABLES = {"tickets", "ticket_steps", "sequences", "lokets", "users", "calls", "print_jobs", "audit_log"}


def _on(dialect: str):
    """Leave out of the comparison what the models create on another database only (``info["only_on"]``)."""
    def include(obj, _name, _type, reflected, _compare_to) -> bool:
        only = getattr(obj, "info", {}).get("only_on")
        return reflected or only is None or only == dialect
    return include


def check(url):
    upgrade(url)
    upgrade(url)  # a second run is a no-op
    engine = make_engine(url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _on(conn.dialect.name)})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_upgrade_from_empty_sqlite(tmp_path):
    check(f"sqlite:///{tmp_path / 'empty.db'}")


@pytest.mark.postgres
def test_upgrade_from_empty_postgres(pg_url):
    check(pg_url)  # pg_url is a fresh database, already upgraded once by the fixture

"""Alembic: upgrade from empty works on SQLite and PostgreSQL, and the models match the migrations."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from shared.db import make_engine, upgrade
from shared.models import Base

TABLES = {"tickets", "ticket_steps", "sequences", "lokets", "users", "calls", "print_jobs", "audit_log"}


def check(url):
    upgrade(url)
    upgrade(url)  # a second run is a no-op
    engine = make_engine(url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()


def test_upgrade_from_empty_sqlite(tmp_path):
    check(f"sqlite:///{tmp_path / 'empty.db'}")


@pytest.mark.postgres
def test_upgrade_from_empty_postgres(pg_url):
    check(pg_url)  # pg_url is a fresh database, already upgraded once by the fixture

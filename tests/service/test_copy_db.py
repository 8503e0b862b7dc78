"""`antrean copy-db`: a SQLite office moved to a fresh PostgreSQL database, row for row."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from antrean.shared.services import survey
from antrean.shared.store import models
from antrean.shared.store.db import make_engine, make_sessionmaker
from tests.support.env import ROOT
from tests.support.factories import SURVEY_ANSWERS as ANSWERS
from tests.support.factories import make_desk
from tests.support.factories import walk_to_end as walk


def table_rows(url: str) -> dict[str, list[dict]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                    for t in models.Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def copy_db(source: str, target: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "antrean.shared.cli.main", "copy-db", "--from", source, "--to", target],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.postgres
def test_sqlite_office_copied_to_postgresql_and_serving_on(db_url, desk, staff, clock, sessions, catalogue, pg_url):
    done = walk(desk, staff, clock, "ahli_waris")
    walk(desk, staff, clock, "ktp", decision="TMS", missing=["Kartu Keluarga (KK)"], note="catatan")
    survey.submit(sessions, done["public_id"], ANSWERS, comment="cepat", clock=clock)
    desk.issue_ticket("ktp", priority=True, reason="lansia")
    before = table_rows(db_url)
    assert before["tickets"] and before["ticket_steps"] and before["audit_log"] and before["survey_responses"]

    out = copy_db(db_url, pg_url)
    assert out.returncode == 0, out.stderr
    assert "tickets" in out.stdout and f"copied {sum(len(v) for v in before.values())} rows" in out.stdout
    after = table_rows(pg_url)
    assert after == before  # every row, with times as the same instants and JSON as JSON

    # The office goes on on PostgreSQL: new ids after the copied ones, numbering continues.
    pg_sessions = make_sessionmaker(make_engine(pg_url))
    pg_desk = make_desk(pg_sessions, catalogue, clock)
    ticket = pg_desk.issue_ticket("ktp")
    assert ticket["number"] == "A003" and ticket["id"] == max(r["id"] for r in before["tickets"]) + 1
    called = pg_desk.call_next(staff["pelayanan1"])  # the copied users, lokets and waiting queue
    assert called["number"] == "A002"  # the copied priority ticket goes first
    pg_sessions.kw["bind"].dispose()


@pytest.mark.postgres
def test_copy_refuses_a_target_that_holds_data(db_url, desk, pg_url):
    desk.issue_ticket("ktp")
    assert copy_db(db_url, pg_url).returncode == 0
    again = copy_db(db_url, pg_url)
    assert again.returncode != 0 and "not empty" in again.stderr
    assert len(table_rows(pg_url)["tickets"]) == 1  # nothing was added

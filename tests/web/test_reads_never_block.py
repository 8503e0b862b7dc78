"""Reads never block writes (docs DESIGN §3): a Kasi holding the month's report or the Buku Register
open on SQLite must not make a single kiosk wait. The report's read is held open mid-way (after its
queries ran, inside its ``reading()``) while several kiosks issue tickets through the public API;
each issue must finish far below the database's busy timeout. Were the read a plain session or a
``transaction()`` (SQLite's write lock), every kiosk would wait the whole busy timeout and fail."""
from __future__ import annotations

import threading
import time

import pytest

BUSY_SECONDS = 6.0  # a kiosk stalled behind the write lock waits this long (and then fails)
PROMPT_SECONDS = 2.0  # an issue that is not stalled takes a small fraction of that, even on a busy CI machine
KIOSKS = 4
TICKETS_EACH = 3


@pytest.fixture
def busy_app(tmp_path, clock, printer):
    from antrean.shared.app import create_app

    app = create_app(
        {"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "DB_BUSY_SECONDS": BUSY_SECONDS,
         "SECRET_KEY": "test", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True,
         "ISSUE_LIMIT": "100000 per minute"},  # several kiosks at one test address
        clock=clock, printer=printer, start_workers=False,
    )
    yield app
    app.extensions["antrean.engine"].dispose()


def _held_open(module, name: str, monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Wrap ``module.name`` (a query the report runs inside its read) so that, once it has run, the
    read stays open until released. Returns (the read is open, release it)."""
    is_open, release = threading.Event(), threading.Event()
    original = getattr(module, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        is_open.set()
        release.wait(BUSY_SECONDS * 5)
        return result

    monkeypatch.setattr(module, name, held)
    return is_open, release


def _count_tickets(app) -> int:
    from sqlalchemy import func, select

    from antrean.shared.store.db import reading
    from antrean.shared.store.models import Ticket

    with reading(app.extensions["antrean"].sessions) as s:
        return s.scalar(select(func.count()).select_from(Ticket))


@pytest.mark.parametrize("page", ["report", "register", "export"])
def test_an_open_report_read_makes_no_kiosk_wait(busy_app, app_staff, monkeypatch, page):
    from antrean.shared.services import register, reports

    app = busy_app
    kiosk = app.test_client()
    for code in ("ktp", "ahli_waris"):  # something for the report to read
        assert kiosk.post("/api/v1/tickets", json={"service": code}).status_code == 201
    before = _count_tickets(app)

    kasi = app.test_client()
    assert kasi.post("/counter/login", data={"username": "kasi", "password": app_staff["kasi"]}).status_code == 302
    if page == "register":
        is_open, release = _held_open(register, "_rows", monkeypatch)
        url, method = "/counter/reports/register", kasi.post
    else:
        is_open, release = _held_open(reports, "office_report", monkeypatch)
        url = {"report": "/counter/reports/?month=2026-11",
               "export": "/counter/reports/export/steps.csv?month=2026-11"}[page]
        method = kasi.get

    report_answer: dict = {}
    reader = threading.Thread(target=lambda: report_answer.setdefault("status", method(url).status_code))
    reader.start()
    try:
        assert is_open.wait(30), "the report never reached its read"
        timings: list[float] = []
        answers: list[int] = []
        lock = threading.Lock()

        def kiosk_issues():
            client = app.test_client()
            for _ in range(TICKETS_EACH):
                started = time.monotonic()
                status = client.post("/api/v1/tickets", json={"service": "ktp"}).status_code
                with lock:
                    timings.append(time.monotonic() - started)
                    answers.append(status)

        kiosks = [threading.Thread(target=kiosk_issues) for _ in range(KIOSKS)]
        for k in kiosks:
            k.start()
        for k in kiosks:
            k.join(BUSY_SECONDS * 10)
        still_open = not release.is_set() and reader.is_alive()  # the read was open all along
    finally:
        release.set()
        reader.join(30)

    assert max(timings) < PROMPT_SECONDS, f"a kiosk waited {max(timings):.2f} s behind the report's read"
    assert answers == [201] * (KIOSKS * TICKETS_EACH), answers
    assert still_open  # the kiosks did their work while the read was open
    assert report_answer.get("status") == 200
    assert _count_tickets(app) == before + KIOSKS * TICKETS_EACH

"""The kiosk in Chromium while its SQLite database is locked by another program: the page asks
again by itself with the same request id, says in Indonesian that the system is busy when the lock
outlasts its retries, and a tap after the lock is gone issues exactly one ticket."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from tests.support.browser import take_ticket
from tests.support.live_server import LiveServer
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

BUSY = "Sistem sedang sibuk. Silakan coba lagi sebentar lagi."


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path, {"ANTREAN_DB_BUSY_SECONDS": "0.3", "ANTREAN_PRINTER": "none"})
    server.create_demo()
    server.start()
    yield server
    server.stop()


def test_kiosk_says_busy_retries_and_issues_once(server, new_page, shot):
    db = server.tmp / "antrean.db"
    holder = sqlite3.connect(db, isolation_level=None, timeout=5, check_same_thread=False)

    def tickets() -> list[str]:
        return [r[0] for r in holder.execute("SELECT number FROM tickets ORDER BY id")]

    kiosk = new_page(viewport={"width": 1080, "height": 1920})
    kiosk.goto(f"{server.url}/kiosk/?result=3")
    kiosk.click('button.group[data-group="adminduk"]')

    # Locked for longer than the page's own retries: it says so, and nothing is issued.
    holder.execute("BEGIN IMMEDIATE")
    kiosk.click('button.service[data-service="kk"]')
    take_ticket(kiosk)
    expect(kiosk.locator("#kiosk-error")).to_have_text(BUSY, timeout=30_000)
    assert tickets() == []
    shot(kiosk, "busy")
    holder.execute("ROLLBACK")

    # The citizen taps again once the lock is gone: one ticket.
    kiosk.click('button.service[data-service="kk"]')
    take_ticket(kiosk)
    expect(kiosk.locator("#result-number")).to_have_text("A001")
    expect(kiosk.locator("#kiosk-error")).to_be_hidden()
    kiosk.click("#result-done")
    kiosk.wait_for_timeout(900)  # past the kiosk's guard against taps carried over from the last screen

    # Locked for a moment only: the page's retry (same request id) gets the ticket without a word.
    kiosk.click('button.group[data-group="adminduk"]')
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(2.0, lambda: holder.execute("ROLLBACK"))
    kiosk.click('button.service[data-service="kk"]')
    take_ticket(kiosk)
    release.start()
    expect(kiosk.locator("#result-number")).to_have_text("A002", timeout=30_000)
    release.join()
    expect(kiosk.locator("#kiosk-error")).to_be_hidden()
    shot(kiosk, "issued-after-retry")
    assert tickets() == ["A001", "A002"]
    holder.close()

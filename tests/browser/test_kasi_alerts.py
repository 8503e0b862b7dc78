"""In Chromium: the Kasi's counter page shows an alert when a running request's step goes past its
Mutu Baku by the margin (50%), without a reload: the page polls /counter/files/alerts. The server
runs in this process over the test clock (tests/support/fakes.FakeClock), so time is advanced, not
waited for. Screenshot: test-artifacts/kasi-alert-*.png."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from antrean.shared.services.desk import Actor
from antrean.shared.store.models import User
from tests.support.browser import log_in
from tests.support.factories import ticket_through
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app):
    """The test's app (with its fake clock) on 127.0.0.1, in a thread."""
    app.config["ALERTS_REFRESH_SECONDS"] = 1
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_the_kasi_sees_a_step_going_over_its_standard(app, app_staff, clock, served, new_page, shot):
    d = app.extensions["antrean"]
    with d.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    t = ticket_through(d, staff, clock, "ktp", [1, 2])  # waiting at step 3, verification (5 minutes)

    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, served, "kasi", app_staff["kasi"])
    box = page.locator("#late-alerts")
    expect(box).to_be_hidden()  # nothing late yet
    shot(page, "1-nothing-late")

    clock.advance(minutes=8)  # 8 minutes at a 5-minute step: past 150%, 3 minutes over
    item = page.locator(f'#late-alert-list li[data-ticket="{t["number"]}"]')
    expect(item).to_be_visible(timeout=10_000)  # the next poll, without a reload
    expect(item).to_contain_text("langkah 3")
    expect(item).to_contain_text("3 menit melewati Mutu Baku 5 menit")
    assert "Warga" not in box.inner_text()  # never the applicant's name
    shot(page, "2-alert")

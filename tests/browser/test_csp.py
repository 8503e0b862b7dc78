"""The Content-Security-Policy in real Chromium: every page (kiosk, display, counter, print queue,
kiosk services, reports, display settings, ticket status, survey) loads under the policy the server
sends with no CSP violation, no console error and no script error, and still works: sockets
connect, a ticket is issued and called, the loket choice submits itself, charts render."""
from __future__ import annotations

import pytest

from tests.support.browser import take_ticket
from tests.support.factories import issue
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

# Playwright adds this before any script of the page (it is not subject to the page's CSP).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


class Watched:
    """A page in its own context, recording CSP violations, console errors and script errors."""

    def __init__(self, new_page, **options):
        self.page = new_page(**options)
        self.page.add_init_script(WATCH)
        self.problems: list[str] = []
        self.sockets: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.page.on("websocket", lambda ws: self.sockets.append(ws.url))

    def _console(self, message) -> None:
        if message.type not in ("error", "warning"):
            return
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the browser asks for an icon the server does not have: not a page problem
        self.problems.append(f"console {message.type}: {message.text} {message.location}")

    def goto(self, url: str):
        resp = self.page.goto(url)
        assert resp.status == 200, url
        assert "script-src 'self'" in resp.headers["content-security-policy"]
        return resp

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__csp")
        assert violations == [], f"{where}: CSP violations {violations}"
        assert self.problems == [], f"{where}: {self.problems}"


def login(watched: Watched, server, username: str) -> None:
    page = watched.page
    watched.goto(f"{server.url}/counter/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.passwords[username])
    with page.expect_navigation():
        page.click("#login")
    assert page.url.rstrip("/").endswith("/counter"), page.url


def test_public_pages_satisfy_the_policy_and_work(live_server, new_page):
    base = live_server.url
    display = Watched(new_page, viewport={"width": 1920, "height": 1080})
    display.goto(f"{base}/display/")
    display.page.wait_for_selector('#conn[data-state="online"]', state="attached")
    assert any("/socket.io/" in u and u.startswith("ws://") for u in display.sockets), display.sockets

    kiosk = Watched(new_page, viewport={"width": 1080, "height": 1920}, has_touch=True)
    kiosk.goto(f"{base}/kiosk/")
    kiosk.page.tap('button.group[data-group="adminduk"]')
    kiosk.page.tap('button.service[data-service="ktp"]')
    take_ticket(kiosk.page, tap=True)
    expect(kiosk.page.locator("#result-number")).to_have_text("A001")
    for image in ("#result-qr", "#result-preview"):  # the QR (SVG) and the ticket preview (PNG)
        kiosk.page.wait_for_function(
            "(sel) => { const i = document.querySelector(sel); return i && i.complete && i.naturalWidth > 0; }",
            arg=image)
    public_id = kiosk.page.locator("#result-qr").get_attribute("src").split("/")[-1].removesuffix(".svg")
    kiosk.check("kiosk")

    phone = Watched(new_page, viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(f"{base}/kiosk/t/{public_id}")
    phone.page.wait_for_selector('#st-live[data-state="online"]', state="attached")
    expect(phone.page.locator("#st-number")).to_have_text("A001")
    phone.check("status page")

    survey = Watched(new_page)
    survey.goto(f"{base}/kiosk/survei/")
    survey.goto(f"{base}/kiosk/survei/{public_id}")
    survey.goto(f"{base}/")
    for path in ("/informasi/", "/informasi/layanan/sktm", "/informasi/maklumat", "/informasi/skm"):
        survey.goto(f"{base}{path}")
    survey.check("survey, start and information pages")

    # the call reaches the display (socket, announcement audio from /display/audio, blob: silence)
    clerk = Watched(new_page, viewport={"width": 1366, "height": 768})
    login(clerk, live_server, "pelayanan1")
    with clerk.page.expect_navigation():
        clerk.page.click("button#call-next, form[action$='/call-next'] button")
    expect(display.page.locator("#now-number")).to_have_text("A001")
    display.check("display")
    clerk.check("counter")


def test_staff_pages_satisfy_the_policy_and_work(live_server, new_page):
    base = live_server.url
    issue(live_server, "ahli_waris")
    kasi = Watched(new_page, viewport={"width": 1366, "height": 768})
    login(kasi, live_server, "kasi")
    kasi.check("counter")

    # the loket choice submits its form by itself (the handler now lives in counter.js)
    desk = Watched(new_page, viewport={"width": 1366, "height": 768})
    login(desk, live_server, "pelayanan2")
    with desk.page.expect_navigation():
        desk.page.select_option("select#loket", label="Loket 1")
    expect(desk.page.locator("select#loket option:checked")).to_have_text("Loket 1")
    assert any(u.startswith("ws://") for u in desk.sockets), desk.sockets
    desk.check("counter with the loket chosen")

    kasi.goto(f"{base}/counter/printing/")
    expect(kasi.page.locator("#jobs")).to_be_visible()
    kasi.page.wait_for_load_state("load")
    kasi.check("print queue")

    kasi.goto(f"{base}/counter/availability/")
    width = kasi.page.evaluate("getComputedStyle(document.querySelector('input.quota')).width")
    assert width == "96px"  # 6rem from app.css, no longer a style attribute
    kasi.page.wait_for_load_state("load")
    kasi.check("kiosk services")

    kasi.goto(f"{base}/counter/reports/")
    kasi.page.wait_for_selector('body[data-charts="ready"]', state="attached")
    drawn = kasi.page.evaluate("Array.from(document.querySelectorAll('canvas')).map(c => c.width * c.height)")
    assert drawn and all(drawn), "a chart did not draw"
    kasi.page.click("#print-page")
    assert kasi.page.evaluate("window.__printed") == 1
    kasi.check("reports")

    kasi.goto(f"{base}/counter/reports/register")
    kasi.goto(f"{base}/display/settings")
    kasi.goto(f"{base}/counter/skm/")
    kasi.check("register, display settings and SKM results")


def test_admin_pages_satisfy_the_policy_and_work(live_server, new_page):
    base = live_server.url
    admin = Watched(new_page, viewport={"width": 1440, "height": 900})
    login(admin, live_server, "admin")
    for path in ("/counter/admin/", "/counter/admin/office", "/counter/admin/names", "/counter/admin/services",
                 "/counter/admin/services/ektp", "/counter/admin/services/new", "/counter/admin/lokets",
                 "/counter/admin/users", "/counter/admin/users/new", "/counter/standar/", "/counter/standar/ktp",
                 "/counter/standar/maklumat"):
        admin.goto(f"{base}{path}")
        admin.page.wait_for_load_state("load")
        admin.check(path)
    admin.goto(f"{base}/counter/admin/services/ektp")
    admin.page.fill('input[name="steps-5-minutes"]', "6")
    with admin.page.expect_navigation():
        admin.page.click("#save-service")
    expect(admin.page.locator(".flash.ok")).to_be_visible()
    admin.check("service saved")

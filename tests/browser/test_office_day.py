"""A day at the kecamatan office in Debian's Chromium (issue #15, "A real day at the desk").

Everyone the office meets is on a screen of their own, all at once, against one ``antrean serve``:
two kiosks (a portrait touch screen and a 1366x768 landscape one), the waiting-room TV (1920x1080),
the applicant's phone on the ticket's status page, and every clerk of the demo office on TWO PCs
(two browser contexts per user, both logged in on /counter/login). The walks: an e-KTP ticket with
its in-person biometric recording call (step 6), Surat Keterangan Ahli Waris through its 8 steps
(Petugas Pelayanan, Kasi, Register with the agenda number, Sekcam, Camat, the hand-over against
the pickup code printed on the ticket, a wrong code refused first), OSS (Tim Teknis, Kasi, Pengolah
Data), an anonymous complaint (Pengaduan: its text, channel and SP4N-LAPOR! number at intake, the
Camat's outcome, found again in the Buku Register), a TMS, a no-show, a transfer and a re-login in
the middle of a ticket. Every kiosk ticket goes through the kiosk's confirmation step. At each
moment the test asserts what each screen shows, and keeps screenshots in
``test-artifacts/test_<walk>-<moment>.png``.

How this file is built, for whoever changes the behaviour it walks:
- Each actor and moment is one small function (``kiosk_take``, ``clerk_call_next``,
  ``clerk_do_step``, ``clerk_hand_over``, ``tv_now_serving``, ``assert_loket_shows``, ...). When a
  screen changes (a confirmation step on the kiosk, the pickup code at the hand-over, a 409 on
  call-next), change the one function, not the walks.
- The walks (``test_walk_*``) assert every item of #15 as the screens show it: the loket's ticket
  on both PCs of its clerk, the kind and purpose of each call, the TV's "Sedang dilayani" clearing
  after each ending. The ``test_issue15_*`` tests each look at one item more closely (a busy
  loket's choices, calling by role, the TV's lists, the hand-over code, ...). A behaviour not yet
  right is asserted as it should be, in a test marked ``xfail(strict=True)`` with the reason: once
  it is fixed strict xfail turns the pass into a failure, and whoever fixed it removes the mark.
- One server and one set of screens for the whole module (a day has one office). After each test
  every loket is emptied and every ticket it left waiting or called is closed through the staff
  API (``closed_after``), so the next walk's "call next" gets its own ticket and a free loket.
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.browser import CONFIRM_GUARD_MS, DEFAULT_TIMEOUT_MS, take_ticket
from tests.support.clients import Staff
from tests.support.env import ROOT
from tests.support.live_server import LiveServer, wait_for
from tests.support.needs_playwright import expect
from tests.support.printed import visible_lines

pytestmark = pytest.mark.browser

KIOSK_PORTRAIT = {"width": 1080, "height": 1920}
KIOSK_LANDSCAPE = {"width": 1366, "height": 768}
TV = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
PC = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}]  # each clerk's two PCs

LIVE_MS = 6_000        # a pushed change reaches another screen within this
BUG_MS = 2_500         # how long an xfail test waits for a pushed change before it fails
NOW_MS = 500           # ... and for something on a page it has just loaded
TZ = ZoneInfo("Asia/Jakarta")

# The demo office (shared/services/demo.py, `antrean demo`): each user's own loket
LOKET_OF = {"pelayanan1": "Loket 1", "pelayanan2": "Loket 2", "verifikasi": "Loket 1", "teknis": "Loket 3",
            "pengaduan": "Loket 3"}
GROUP_OF = {"ektp": "adminduk", "ktp": "adminduk", "kk": "adminduk", "ahli_waris": "surat_keterangan",
            "sktm": "surat_keterangan", "bepergian": "surat_keterangan", "oss": "perizinan",
            "pengaduan": "pengaduan"}
APPLICANT = {"name": "Sri Wahyuni", "nik": "3503124507540001"}
COMPLAINANT = {"name": "Warga Pelapor", "nik": "3503121708650002"}
COMPLAINT = "Lampu penerangan jalan di RT 03 Desa Bendoagung mati sejak dua minggu."
OUTCOME = "Disepakati: Dinas PU memperbaiki lampu jalan RT 03 paling lambat 14 hari kerja."
LAPOR = "4421907"


# == the office: one server, the TV, two kiosks, and each clerk's two PCs ========================

class ClerkPC:
    """One PC of one clerk: a browser context logged in on the counter screen."""

    def __init__(self, browser, base: str, user: str, password: str, label: str, viewport: dict):
        self.base, self.user, self.password, self.label = base, user, password, label
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.page = self.context.new_page()

    def login(self) -> None:
        self.start_login()
        self.finish_login()

    def start_login(self) -> None:
        """The login form filled in and sent (``finish_login`` waits for the counter screen): a
        user's two PCs log in side by side."""
        page = self.page
        page.goto(f"{self.base}/counter/login")
        page.fill("input[name=username]", self.user)
        page.fill("input[name=password]", self.password)
        page.click("#login", no_wait_after=True)

    def finish_login(self) -> None:
        try:
            self.page.wait_for_url(re.compile(r"/counter/?$"))
        except Exception:
            raise AssertionError(f"{self.user} could not log in on {self.label}: {self.page.url}") from None
        self.settle()

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Keluar").click()
        assert self.page.url.endswith("/counter/login"), self.page.url

    def open(self) -> None:
        """Open (or reload) the counter screen, as a clerk does when they sit down at this PC."""
        self.page.goto(f"{self.base}/counter/")
        if "/counter/login" in self.page.url:
            self.login()
        self.settle()

    def settle(self) -> None:
        """The page is connected to /counter and no refresh is pending: what it shows is current and
        the next push reaches it (counter.js: ``<body data-socket data-sync>``)."""
        self.page.wait_for_function(
            "() => document.body.dataset.socket === 'connected' && document.body.dataset.sync === 'idle'")

    def press(self, button) -> None:
        """Click a button that posts a form; the page is current again afterwards."""
        self.settle()
        with self.page.expect_navigation():
            button.click()
        self.settle()

    def card(self, number: str):
        return self.page.locator(f'article.ticket-card[data-ticket="{number}"]').first

    def flash(self):
        return self.page.locator(".flashes p.flash").last

    def choose_loket(self, name: str) -> None:
        select = self.page.locator("select#loket")
        if select.evaluate("el => el.options[el.selectedIndex].text") != name:
            with self.page.expect_navigation():
                select.select_option(label=name)
            self.settle()


@dataclass
class Ticket:
    number: str
    public_id: str
    id: int
    service: str

    @property
    def status_url(self) -> str:
        return f"/kiosk/t/{self.public_id}"


@dataclass
class Office:
    server: LiveServer
    browser: object
    tv: object
    kiosks: list
    pcs: dict = field(default_factory=dict)
    phones: list = field(default_factory=list)
    tickets: list = field(default_factory=list)  # every ticket taken today, for ``closed_after``
    loket_ids: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # user -> staff API device token

    @property
    def base(self) -> str:
        return self.server.url

    def clerk(self, user: str, loket: str | None = None) -> tuple[ClerkPC, ClerkPC]:
        """``user``'s two PCs, logged in (opened on first use, kept for the day); with ``loket``,
        two PCs on which the user works at that loket instead of their own."""
        key = (user, loket)
        if key not in self.pcs:
            pcs = tuple(ClerkPC(self.browser, self.base, user, self.server.passwords[user], f"PC {n + 1}", PC[n])
                        for n in range(2))
            for pc in pcs:
                pc.start_login()
            for pc in pcs:
                pc.finish_login()
            if loket:
                for pc in pcs:
                    pc.choose_loket(loket)
            self.pcs[key] = pcs
        return self.pcs[key]

    def phone(self, ticket: Ticket):
        """The applicant's phone, on the status page the ticket's QR code leads to."""
        # set to UTC, as a visitor's phone may be: the page must still tell the office's time
        context = self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="UTC")
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        page.add_init_script(ALERT_PROBE)
        page.goto(self.base + ticket.status_url)
        expect(page.locator("#st-number")).to_have_text(ticket.number)
        expect(page.locator("#st-live")).to_have_attribute("data-state", "online")
        self.phones.append(context)
        return page

    def api(self, user: str) -> requests.Session:
        """The staff API as ``user`` (a device token: HTTP Basic would cost the server a password hash
        a request): for setting up and tidying, never for asserting a screen."""
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return s

    def public(self, ticket: Ticket) -> dict:
        resp = requests.get(f"{self.base}/api/v1/tickets/{ticket.public_id}", timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()


# The phone records every way it could alert its owner (sound, tone, vibration) in window.alerts.
ALERT_PROBE = """
(() => {
  window.alerts = [];
  const note = (what) => window.alerts.push(what);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () { note("sound"); return play.call(this); };
  if (window.AudioScheduledSourceNode) {
    const start = AudioScheduledSourceNode.prototype.start;
    AudioScheduledSourceNode.prototype.start = function (...a) { note("tone"); return start.apply(this, a); };
  }
  navigator.vibrate = function () { note("vibrate"); return true; };
})();
"""


API_USERS = ("pelayanan1", "pelayanan2", "verifikasi", "register", "kasi", "sekcam", "teknis", "pengolah")


def api_tokens(server: LiveServer, users: tuple[str, ...]) -> dict[str, str]:
    """A staff API device token for each user, as ``antrean token create --kind api`` makes them (in one
    process rather than one command per user)."""
    script = ("import sys\n"
              "from antrean.shared.cli.common import configured_sessions\n"
              "from antrean.shared.services.tokens import create_token\n"
              "sessions = configured_sessions()\n"
              "for user in sys.argv[1:]:\n"
              "    print(user, create_token(sessions, 'office-day-' + user, 'api', user))\n")
    out = subprocess.run([sys.executable, "-c", script, *users], env=server.env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return dict(line.split() for line in out.stdout.splitlines())


@pytest.fixture(scope="module")
def office(browser, tmp_path_factory) -> Iterator[Office]:
    server = LiveServer(tmp_path_factory.mktemp("office-day"))
    server.create_demo()
    server.start()
    contexts = []

    def context(**options):
        c = browser.new_context(**options)
        c.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(c)
        return c.new_page()

    try:
        tv = context(viewport=TV)
        tv.goto(f"{server.url}/display/")
        tv.wait_for_selector('#conn[data-state="online"]', state="attached")
        tv_unlock_sound(tv)
        kiosks = [context(viewport=KIOSK_PORTRAIT, has_touch=True),
                  context(viewport=KIOSK_LANDSCAPE, has_touch=True)]
        for k in kiosks:
            kiosk_open(k, server.url)
        day = Office(server=server, browser=browser, tv=tv, kiosks=kiosks, tokens=api_tokens(server, API_USERS))
        for user in ("pelayanan1", "pelayanan2", "teknis"):
            me = day.api(user).get(f"{server.url}/api/v1/staff/me", timeout=10).json()
            day.loket_ids[LOKET_OF[user]] = me["loket"]
        yield day
        for pcs in day.pcs.values():
            for pc in pcs:
                pc.context.close()
        for c in day.phones:
            c.close()
    finally:
        for c in contexts:
            c.close()
        server.stop()


@pytest.fixture(autouse=True)
def closed_after(office):
    """After each test: every ticket it left waiting or called is closed (called, then not present,
    until the office drops it), so the next walk calls its own tickets."""
    yield
    for loket, user in (("Loket 1", "pelayanan1"), ("Loket 2", "pelayanan2"), ("Loket 3", "teknis")):
        loket_emptied(office, loket, user)
    api = office.api("pelayanan1")
    for t in office.tickets:
        for _ in range(6):
            status = office.public(t)["status"]
            if status == "waiting":
                resp = api.post(f"{office.base}/api/v1/staff/tickets/{t.id}/call",
                                json={"loket": office.loket_ids["Loket 3"], "force": True}, timeout=10)
            elif status == "called":
                resp = api.post(f"{office.base}/api/v1/staff/tickets/{t.id}/no-show", json={}, timeout=10)
            else:
                break
            assert resp.status_code == 200, resp.text
    office.tickets.clear()
    for phone in office.phones:
        phone.close()
    office.phones.clear()


def loket_emptied(office: Office, loket: str, user: str) -> None:
    """The loket lets go of what it holds (GET /api/v1/staff/lokets/<id>): a called ticket is marked
    absent, one called back for a later step is let go ("Lepas dari loket"). A ticket whose request
    is being received cannot be let go: a test that leaves one must finish it (this fails, saying so)."""
    api = office.api(user)
    url = f"{office.base}/api/v1/staff/lokets/{office.loket_ids[loket]}"
    for _ in range(6):
        resp = api.get(url, timeout=10)
        assert resp.status_code == 200, resp.text
        held = resp.json()
        if not held["called"] and not held["serving"]:
            return
        for t in held["called"]:
            resp = api.post(f"{office.base}/api/v1/staff/tickets/{t['id']}/no-show", json={}, timeout=10)
            assert resp.status_code == 200, resp.text
        for t in held["serving"]:
            resp = api.post(f"{office.base}/api/v1/staff/tickets/{t['id']}/return", json={}, timeout=10)
            assert resp.status_code == 200, f"{loket} still serves {t['number']}: {resp.text}"
    raise AssertionError(f"{loket} still holds tickets: {held}")


def moment(shot, name: str, **pages) -> None:
    """Keep a screenshot of each screen at this moment: ``<test>-<name>-<screen>.png``."""
    for screen, page in pages.items():
        shot(page, f"{name}-{screen}")


# == the kiosk =====================================================================================

def kiosk_open(page, base: str) -> None:
    page.goto(f"{base}/kiosk/")
    expect(page.locator("#groups")).to_be_visible()


def kiosk_take(office: Office, page, service: str) -> Ticket:
    """A citizen takes a ticket: taps the service's group, then the service, then "Ambil tiket" on
    the confirmation step (``kiosk_confirm``); reads the number on the screen and the status page's
    address from the QR code. "Selesai" is ``kiosk_done``."""
    before = page.locator("#result-number").text_content()
    page.locator(f'button.group[data-group="{GROUP_OF[service]}"]').tap()
    page.locator(f'button.service[data-service="{service}"]').tap()
    kiosk_confirm(page)
    result = page.locator("#step-result")
    expect(result).to_be_visible()
    number = page.locator("#result-number")
    expect(number).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
    expect(number).not_to_have_text(before or "-")
    expect(page.locator("#print-state")).to_have_attribute("data-state", "printed")
    public_id = page.locator("#result-qr").get_attribute("src").split("/")[-1].removesuffix(".svg")
    resp = requests.get(f"{office.base}/api/v1/tickets/{public_id}", timeout=10)
    assert resp.status_code == 200, resp.text
    ticket = Ticket(number=number.inner_text(), public_id=public_id, id=resp.json()["id"], service=service)
    assert resp.json()["number"] == ticket.number and resp.json()["status"] == "waiting"
    office.tickets.append(ticket)
    return ticket


def kiosk_confirm(page) -> None:
    """The confirmation step (#15 item 8, on by default): the chosen service and its documents are
    shown; the citizen taps "Ambil tiket" (after the step's guard against the finger that chose)."""
    take_ticket(page, tap=True)


def kiosk_done(page) -> None:
    """The citizen taps "Selesai": the kiosk is back at the start for the next one."""
    page.locator("#result-done").tap()
    expect(page.locator("#groups")).to_be_visible()
    # kiosk.js ignores taps for 800 ms after this: the next citizen of this file comes later than that


def walk_in_and_call(office: Office, kiosk, service: str, loket: tuple[ClerkPC, ...], loket_name: str,
                     steps: int) -> tuple[Ticket, Any]:
    """A citizen takes a ticket at the kiosk and follows it on their phone (waiting, step 1 of
    ``steps``); the loket calls the next one: it is this ticket on both of the loket's PCs, on the
    TV and on the phone ("silakan menuju <loket>"). Returns the ticket and the phone."""
    t = kiosk_take(office, kiosk, service)
    kiosk_done(kiosk)
    phone = office.phone(t)
    phone_shows(phone, "waiting", step=f"1/{steps}")
    clerk_call_next(loket, t.number)
    assert_loket_shows(loket, t.number, "called")
    assert_tv_calls(office.tv, t.number, loket_name)
    phone_shows(phone, "called", banner=f"silakan menuju {loket_name}")
    return t, phone


# == the waiting-room TV ===========================================================================

def tv_unlock_sound(tv) -> None:
    """Chromium lets a page play sound only after a tap: in the morning someone taps the TV's "Ketuk
    untuk mengaktifkan suara" box once (test_issue15_item4_the_sound_box_never_covers_the_call looks
    at the TV before that)."""
    gate = tv.locator("#sound-gate")
    if not wait_for(gate.is_visible, 3.0):
        return  # this browser lets the page play sound without a tap
    gate.click()
    expect(gate).to_be_hidden()


def tv_now_serving(tv) -> dict[str, str]:
    """The "Sedang dilayani" tiles: loket name -> the number shown ("-" for none)."""
    return tv.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#lokets .loket'))
        .map(d => [d.querySelector('.ln').textContent, d.querySelector('.num').textContent]))""")


def tv_tile(tv, loket: str):
    """The loket's "Sedang dilayani" tile: the number it shows."""
    return tv.locator(f'#lokets .loket:has(.ln:text-is("{loket}")) .num')


def assert_tv_not_serving(tv, number: str, loket: str) -> None:
    """After an ending (done, TMS, no-show, transfer) the number is gone from its loket's tile."""
    expect(tv_tile(tv, loket), f"the TV still shows {number} as served at {loket}").not_to_have_text(
        number, timeout=LIVE_MS)


def assert_tv_calls(tv, number: str, loket: str) -> None:
    """The big call on the TV: ``number``, "silakan menuju <loket>", and that loket's tile shows it."""
    expect(tv.locator("#now-number")).to_have_text(number, timeout=LIVE_MS)
    expect(tv.locator("#now-loket")).to_have_text(f"silakan menuju {loket}")
    expect(tv.locator(f'#lokets .loket:has(.ln:text-is("{loket}")) .num')).to_have_text(number)
    expect(tv.locator("#recent li b").first).to_have_text(number)


def assert_tv_ready(tv, number: str, listed: bool = True) -> None:
    """``number`` is (or is no longer) in "Dokumen siap diambil", and the list is in full view."""
    ready = tv.locator("#ready")
    if listed:
        expect(ready).to_contain_text(number, timeout=LIVE_MS)
    else:
        expect(ready).not_to_contain_text(number, timeout=LIVE_MS)
    assert_uncovered(tv, "#ready")


def assert_uncovered(page, selector: str) -> None:
    """The element is inside the viewport and nothing is drawn over it (checked at its corners and centre)."""
    covered = page.evaluate("""(sel) => {
        const el = document.querySelector(sel); const r = el.getBoundingClientRect();
        if (r.bottom > innerHeight || r.right > innerWidth || r.top < 0 || r.left < 0) return 'outside the screen';
        const pts = [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2],
                     [r.right - 2, r.bottom - 2], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
        for (const [x, y] of pts) { const top = document.elementFromPoint(x, y);
            if (top && top !== el && !el.contains(top)) return 'covered by ' + top.outerHTML.slice(0, 80); }
        return ''; }""", selector)
    assert not covered, f"{selector} on the TV is {covered}"


def tv_waiting(tv, group: str):
    return tv.locator(f'#waiting li[data-group="{group}"] b')


# == the applicant's phone =========================================================================

STATUS_TEXT = {"waiting": "Menunggu dipanggil", "called": "Dipanggil", "in_progress": "Sedang diproses",
               "done": "Selesai", "returned": "Dikembalikan: berkas belum lengkap", "no_show": "Tidak hadir"}


def phone_shows(phone, status: str, *, banner: str | re.Pattern | None = None, step: str | None = None) -> None:
    """The status page followed the ticket by itself: its status, banner and "n/total" step."""
    expect(phone.locator("#st-status")).to_have_attribute("data-status", status, timeout=LIVE_MS)
    expect(phone.locator("#st-status")).to_have_text(STATUS_TEXT[status])
    if banner is not None:
        expect(phone.locator("#st-banner")).to_contain_text(banner)
    if step is not None:
        expect(phone.locator("#st-step")).to_contain_text(f"{step} · ")
    text = phone.locator("body").inner_text()
    for secret in (APPLICANT["name"], APPLICANT["nik"], COMPLAINANT["name"], COMPLAINANT["nik"], COMPLAINT, OUTCOME):
        assert secret not in text, f"the public status page shows {secret!r}"


def phone_alerted(phone) -> list[str]:
    return phone.evaluate("window.alerts")


# == the clerks ====================================================================================

def clerk_call_next(pcs: tuple[ClerkPC, ...], expected: str | None = None) -> str:
    """The clerk presses "Panggil berikutnya" on their first PC; returns the number called.

    A loket still holding a called or unfinished ticket is refused (409, ``loket_busy``, #15 item 1)
    and the screen offers to finish it, mark it absent, return it or call anyway: the walks leave
    their lokets free, so a refusal here is a failure (test_issue15_item1_a_busy_loket_* presses
    "Panggil tetap")."""
    pc = pcs[0]
    pc.press(pc.page.locator("#call-next"))
    busy = pc.page.locator("#loket-busy")
    if busy.count():
        raise AssertionError(f"{pc.user}'s loket is busy: {busy.inner_text()}")
    flash = pc.flash()
    expect(flash).to_contain_text("Memanggil ")
    number = re.search(r"Memanggil ([A-Z]\d{3})", flash.inner_text()).group(1)
    if expected is not None:
        assert number == expected, f"{pc.user} called {number}, not {expected}"
    return number


def assert_loket_shows(pcs: tuple[ClerkPC, ...], number: str, status: str = "called") -> None:
    """Every PC given shows the loket's ticket ``number`` in ``status`` (#15 item 1: what the loket
    called or serves is on every PC of it). A ticket that has left the loket (received and sent to
    the back office, or done) is still shown as the last one on the PC that pressed (``pcs[:1]``)."""
    label = {"called": "Dipanggil", "in_progress": "Diproses", "done": "Selesai"}[status]
    for pc in pcs:
        card = pc.card(number)
        expect(card, f"{pc.user}'s {pc.label} does not show {number}").to_be_visible(timeout=LIVE_MS)
        expect(card).to_have_attribute("data-status", status)
        expect(card.locator(".state")).to_have_text(label)


def step_form(card, step: int):
    form = card.locator(f'form.step-form[data-step="{step}"]')
    expect(form).to_be_visible()
    return form


def clerk_receive(pc: ClerkPC, number: str, applicant: dict | None = None, decision: str | None = None,
                  *, extra: dict | None = None) -> None:
    """The applicant is at the desk: step 2, the file received (name and NIK, and for a service whose
    intake decides, MS/TMS). ``extra``: more fields by name (e.g. a complaint's text and channel)."""
    form = step_form(pc.card(number), 2)
    if applicant:
        form.locator("input[name=name]").fill(applicant["name"])
        form.locator("input[name=nik]").fill(applicant["nik"])
    for name, value in (extra or {}).items():
        form.locator(f"[name={name}]").fill(value)
    if decision:
        form.locator(f"input[name=decision][value={decision}]").check()
    pc.press(form.locator("button[type=submit]"))
    expect(pc.flash()).to_contain_text(f"Langkah 2 selesai untuk {number}")


def clerk_do_step(pcs: tuple[ClerkPC, ...], number: str, step: int, *, decision: str | None = None,
                  missing: tuple[str, ...] = (), note: str = "", fields: dict | None = None,
                  arrives_live: bool = True):
    """A back-office step (or the loket's later step): the file arrives by itself in "Berkas menunggu
    langkah Anda" on every PC of the user; the user completes it on the first. ``fields``: more
    fields by name (e.g. a complaint's outcome). Returns the card."""
    for pc in pcs:
        expect(pc.card(number), f"{number} did not reach {pc.user}'s {pc.label}").to_be_visible(
            timeout=LIVE_MS if arrives_live else DEFAULT_TIMEOUT_MS)
    pc = pcs[0]
    form = step_form(pc.card(number), step)
    for doc in missing:
        form.locator(f'input[name=missing][value="{doc}"]').check()
    if note:
        form.locator("input[name=note]").fill(note)
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(value)
    if decision:
        form.locator(f"input[name=decision][value={decision}]").check()
    pc.press(form.locator("button[type=submit]"))
    expect(pc.flash()).to_contain_text(re.compile(rf"(Langkah {step} selesai untuk|dikembalikan|selesai)"))
    expect(pc.flash()).to_contain_text(number)
    return pc.card(number)


def clerk_call_for_recording(pc: ClerkPC, number: str, loket: str) -> None:
    """e-KTP step 6: the clerk calls the applicant to the loket for the biometric recording, an
    in-person call (``kind: in_person``, #15 item 2) with the step's purpose on its button."""
    button = pc.card(number).locator("#pickup")
    expect(button).to_be_visible(timeout=LIVE_MS)
    expect(button).to_have_text("Panggil untuk perekaman e-KTP")
    pc.press(button)
    expect(pc.flash()).to_contain_text(f"Memanggil {number} ke {loket}")


def clerk_call_for_pickup(pc: ClerkPC, number: str, loket: str) -> None:
    """The document is signed: the clerk calls the applicant to collect it ("Panggil untuk pengambilan")."""
    button = pc.card(number).locator("#pickup")
    expect(button).to_be_visible(timeout=LIVE_MS)
    expect(button).to_have_text(re.compile(r"^Panggil untuk (pengambilan|penyampaian)"))
    pc.press(button)
    expect(pc.flash()).to_contain_text(f"Memanggil {number} ke {loket}")


def clerk_hand_over(pc: ClerkPC, number: str, step: int, pickup_code: str) -> None:
    """The hand-over: the clerk types the pickup code the applicant shows (printed on their ticket,
    ``pickup_code_of``) and completes the step; the ticket is done."""
    form = step_form(pc.card(number), step)
    form.locator("input[name=pickup_code]").fill(pickup_code)
    pc.press(form.locator("button[type=submit]"))
    expect(pc.flash()).to_contain_text(f"{number} selesai")


def clerk_hand_over_refused(pc: ClerkPC, number: str, step: int, wrong_code: str) -> None:
    """Someone shows a code that is not the ticket's: the hand-over is refused, the card says so
    and how many tries are left, and nothing is handed over (the step is still to do)."""
    form = step_form(pc.card(number), step)
    form.locator("input[name=pickup_code]").fill(wrong_code)
    pc.press(form.locator("button[type=submit]"))
    expect(pc.page.locator("p.flash.error")).to_contain_text(f"{number}: Kode pengambilan salah. Dokumen belum diserahkan.")
    card = pc.card(number)
    expect(card).to_have_attribute("data-status", "in_progress")
    expect(step_form(card, step).locator("#handover-attempts")).to_contain_text("Kode salah 1 kali")


def wrong_code(code: str) -> str:
    """A code of the right shape that is not ``code``."""
    return "AAAAAA" if code != "AAAAAA" else "CCCCCC"


def clerk_recall(pc: ClerkPC, number: str) -> None:
    pc.press(pc.card(number).locator("button", has_text="Panggil ulang"))
    expect(pc.flash()).to_contain_text(f"Memanggil {number}")


def clerk_no_show(pc: ClerkPC, number: str) -> str:
    """The called applicant did not come: "Tidak hadir". Returns the flash message."""
    pc.press(pc.card(number).locator("#no-show"))
    expect(pc.flash()).to_contain_text(f"{number} tidak hadir")
    return pc.flash().inner_text()


def clerk_transfer(pc: ClerkPC, number: str, loket: str | None = None, service: str | None = None) -> None:
    form = pc.card(number).locator("form.transfer")
    if loket:
        form.locator("select[name=loket_id]").select_option(label=loket)
    if service:
        form.locator("select[name=service]").select_option(value=service)
    pc.press(form.locator("button", has_text="Alihkan"))
    expect(pc.flash()).to_contain_text(f"{number} dialihkan")


def clerk_find_ticket(pc: ClerkPC, number: str) -> None:
    """The clerk finds the loket's ticket after a re-login: it is simply shown (#15 item 1), no
    search needed."""
    assert_loket_shows((pc,), number)


def clerk_relogin(pc: ClerkPC) -> None:
    """The clerk logs out (which ends every session of the user: the other PC too) and in again."""
    pc.logout()
    pc.login()


def pickup_code_of(office: Office, ticket: Ticket) -> str:
    """The pickup code printed on the applicant's ticket (the server prints to files here: the
    ticket's ``.escpos`` file, read back as text)."""
    def printed() -> list[str]:
        for path in sorted((office.server.tmp / "printed").glob(f"{ticket.number}-*.escpos")):
            lines = visible_lines(path.read_bytes())
            if any(ticket.number in line for line in lines):
                return lines
        return []

    lines = wait_for(printed, 10)
    assert lines, f"no printed ticket {ticket.number}"
    codes = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Kode pengambilan:")]
    assert codes and codes[0], f"ticket {ticket.number} has no pickup code printed: {lines}"
    return codes[0]


def agenda_year() -> str:
    return str(datetime.now(TZ).year)


# == the walks (today's behaviour) =================================================================

def test_walk_ektp_with_the_recording_call(office, shot):
    tv, kiosk = office.tv, office.kiosks[0]
    loket1 = office.clerk("pelayanan1")

    moment(shot, "00-start", kiosk_portrait=kiosk, kiosk_landscape=office.kiosks[1], tv=tv)
    t = kiosk_take(office, kiosk, "ektp")
    moment(shot, "01-taken", kiosk=kiosk)
    kiosk_done(kiosk)
    phone = office.phone(t)
    phone_shows(phone, "waiting", step="1/8", banner="Menunggu dipanggil")
    expect(tv_waiting(tv, "adminduk")).to_have_text("1", timeout=LIVE_MS)
    expect(loket1[0].page.locator('.count[data-group="adminduk"] b')).to_have_text("1", timeout=LIVE_MS)

    # Loket 1 calls: the TV, the clerk's screen and the phone all say so.
    clerk_call_next(loket1, t.number)
    assert_loket_shows(loket1, t.number, "called")
    assert_tv_calls(tv, t.number, "Loket 1")
    expect(tv_waiting(tv, "adminduk")).to_have_text("0")
    phone_shows(phone, "called", banner="silakan menuju Loket 1")
    moment(shot, "02-called", tv=tv, pc1=loket1[0].page, pc2=loket1[1].page, phone=phone)

    # Step 2 at the desk, then the back office: verification, register (agenda number), the Kasi.
    clerk_receive(loket1[0], t.number, APPLICANT)
    assert_loket_shows(loket1[:1], t.number, "in_progress")
    phone_shows(phone, "in_progress", step="3/8")
    clerk_do_step(office.clerk("verifikasi"), t.number, 3, decision="MS")
    # verified (MS): the applicant leaves the desk, the file goes on to the back office
    assert_tv_not_serving(tv, t.number, "Loket 1")
    card = clerk_do_step(office.clerk("register"), t.number, 4)
    expect(card.locator(".agenda-number b")).to_have_text(re.compile(rf"^470/\d{{3}}/406\.07/{agenda_year()}$"))
    kasi = office.clerk("kasi")
    clerk_do_step(kasi, t.number, 5)
    phone_shows(phone, "in_progress", step="6/8")
    moment(shot, "03-back-from-the-kasi", tv=tv, pc1=loket1[0].page, pc2=loket1[1].page, kasi=kasi[0].page,
           phone=phone)

    # Step 6: the biometric recording, in person, at Loket 1. The file is back on both PCs of the
    # loket's clerk (the work queue is server state).
    for pc in loket1:
        expect(pc.card(t.number)).to_be_visible(timeout=LIVE_MS)
        expect(pc.card(t.number).locator("p.step-title")).to_contain_text("Melakukan perekaman e-KTP")
    clerk_call_for_recording(loket1[0], t.number, "Loket 1")
    assert_tv_calls(tv, t.number, "Loket 1")
    # an in-person call, not a pickup: the TV says what for, and lists no ready document
    expect(tv.locator("#now-kind")).to_have_text("untuk perekaman e-KTP")
    expect(tv.locator("#now-kind")).not_to_contain_text("siap diambil")
    assert_tv_ready(tv, t.number, listed=False)
    phone_shows(phone, "in_progress", banner="Silakan menuju Loket 1 untuk perekaman e-KTP.", step="6/8")
    expect(phone.locator("#st-banner")).not_to_contain_text("siap")
    assert_loket_shows(loket1, t.number, "in_progress")  # the applicant is at the loket: both PCs
    moment(shot, "04-recording-call", tv=tv, pc1=loket1[0].page, pc2=loket1[1].page, phone=phone)
    clerk_do_step(loket1, t.number, 6)
    assert_tv_not_serving(tv, t.number, "Loket 1")
    phone_shows(phone, "in_progress", step="7/8", banner="Dokumen siap diambil")

    # Step 7: the recommendation is handed over at Loket 1 against the pickup code on the ticket.
    assert_tv_ready(tv, t.number)
    clerk_call_for_pickup(loket1[0], t.number, "Loket 1")
    assert_tv_calls(tv, t.number, "Loket 1")
    expect(tv.locator("#now-kind")).to_have_text("untuk pengambilan rekomendasi")
    moment(shot, "05-pickup-call", tv=tv, pc1=loket1[0].page, phone=phone)
    clerk_hand_over(loket1[0], t.number, 7, pickup_code_of(office, t))
    assert_loket_shows(loket1[:1], t.number, "done")
    phone_shows(phone, "done", banner="Selesai")
    assert_tv_ready(tv, t.number, listed=False)
    assert_tv_not_serving(tv, t.number, "Loket 1")
    moment(shot, "06-done", tv=tv, pc1=loket1[0].page, phone=phone)


def test_walk_ahli_waris_eight_steps_each_by_its_actor(office, shot):
    tv, kiosk = office.tv, office.kiosks[1]
    loket2 = office.clerk("pelayanan2")

    t = kiosk_take(office, kiosk, "ahli_waris")
    moment(shot, "01-taken", kiosk=kiosk)
    kiosk_done(kiosk)
    phone = office.phone(t)
    phone_shows(phone, "waiting", step="1/8")

    clerk_call_next(loket2, t.number)
    assert_loket_shows(loket2, t.number, "called")
    assert_tv_calls(tv, t.number, "Loket 2")
    phone_shows(phone, "called", banner="silakan menuju Loket 2")
    step_form(loket2[0].card(t.number), 2)  # the receiving form is where the clerk pressed
    moment(shot, "02-called", tv=tv, pc1=loket2[0].page, pc2=loket2[1].page, phone=phone)

    clerk_receive(loket2[0], t.number, APPLICANT)
    phone_shows(phone, "in_progress", step="3/8")
    # Each step by its own actor; the files reach their PCs by themselves.
    clerk_do_step(office.clerk("kasi"), t.number, 3, decision="MS")
    register = office.clerk("register")
    card = clerk_do_step(register, t.number, 4)
    agenda = re.compile(rf"^474/\d{{3}}/406\.07/{agenda_year()}$")
    expect(card.locator(".agenda-number b")).to_have_text(agenda)  # it stands out
    moment(shot, "03-agenda-number", register=register[0].page)
    phone_shows(phone, "in_progress", step="5/8")
    sekcam = office.clerk("sekcam")
    expect(sekcam[0].card(t.number).locator(".agenda-number b")).to_have_text(agenda, timeout=LIVE_MS)
    clerk_do_step(sekcam, t.number, 5)
    camat = office.clerk("camat")
    expect(step_form(camat[0].card(t.number), 6).locator(".hint")).to_contain_text("Surat Keterangan Ahli Waris")
    moment(shot, "04-camat", camat=camat[0].page)
    clerk_do_step(camat, t.number, 6)
    phone_shows(phone, "in_progress", step="7/8", banner="Dokumen siap diambil")

    # Signed: the document is ready. The TV lists it, in full view; Loket 2 calls the applicant.
    assert_tv_ready(tv, t.number)
    moment(shot, "05-ready", tv=tv, phone=phone)
    for pc in loket2:
        expect(pc.card(t.number).locator("#pickup")).to_be_visible(timeout=LIVE_MS)
    clerk_call_for_pickup(loket2[0], t.number, "Loket 2")
    assert_tv_calls(tv, t.number, "Loket 2")
    expect(tv.locator("#now-kind")).to_have_text("untuk pengambilan surat")
    phone_shows(phone, "in_progress", banner="Dokumen siap diambil: silakan menuju Loket 2.")
    moment(shot, "06-pickup-call", tv=tv, pc1=loket2[0].page, phone=phone)

    # Someone shows a code that is not on this ticket: refused, nothing handed over.
    code = pickup_code_of(office, t)
    clerk_hand_over_refused(loket2[0], t.number, 7, wrong_code(code))
    phone_shows(phone, "in_progress", step="7/8")
    assert_tv_ready(tv, t.number)
    moment(shot, "07-wrong-code-refused", pc1=loket2[0].page, tv=tv, phone=phone)

    clerk_hand_over(loket2[0], t.number, 7, code)
    assert_loket_shows(loket2[:1], t.number, "done")
    phone_shows(phone, "done", banner="Selesai")
    assert_tv_ready(tv, t.number, listed=False)
    assert_tv_not_serving(tv, t.number, "Loket 2")
    moment(shot, "08-handed-over", tv=tv, pc1=loket2[0].page, phone=phone)


def oss_hand_over(office: Office, ticket: Ticket) -> None:
    """The OSS applicant collects the NIB (#15 item 2): the Tim Teknis calls them to Loket 3 for
    it (a pickup: the TV lists the number as ready), then hands it over (step 5) against the code
    printed on the ticket."""
    tv, loket3 = office.tv, office.clerk("teknis")
    assert_tv_ready(tv, ticket.number)
    clerk_call_for_pickup(loket3[0], ticket.number, "Loket 3")
    assert_tv_calls(tv, ticket.number, "Loket 3")
    expect(tv.locator("#now-kind")).to_have_text("untuk pengambilan sertifikat NIB")
    assert_loket_shows(loket3, ticket.number, "in_progress")
    clerk_hand_over(loket3[0], ticket.number, 5, pickup_code_of(office, ticket))
    assert_tv_ready(tv, ticket.number, listed=False)
    assert_tv_not_serving(tv, ticket.number, "Loket 3")


def test_walk_oss(office, shot):
    tv, kiosk = office.tv, office.kiosks[0]
    loket3 = office.clerk("teknis")

    t, phone = walk_in_and_call(office, kiosk, "oss", loket3, "Loket 3", steps=6)
    moment(shot, "01-called", tv=tv, pc1=loket3[0].page, pc2=loket3[1].page, phone=phone)

    # Tim Teknis receives and verifies at the desk (step 2 decides: MS).
    form = step_form(loket3[0].card(t.number), 2)
    form.locator("input[name=decision][value=MS]").check()
    loket3[0].press(form.locator("button[type=submit]"))
    expect(loket3[0].flash()).to_contain_text(f"Langkah 2 selesai untuk {t.number}")
    phone_shows(phone, "in_progress", step="3/6")
    clerk_do_step(office.clerk("kasi"), t.number, 3)
    pengolah = office.clerk("pengolah")
    clerk_do_step(pengolah, t.number, 4)
    phone_shows(phone, "in_progress", step="5/6", banner="Dokumen siap diambil")
    moment(shot, "02-input-done", tv=tv, pengolah=pengolah[0].page, phone=phone)
    oss_hand_over(office, t)
    phone_shows(phone, "done")
    moment(shot, "03-done", tv=tv, phone=phone)


def complaint_intake(pc: ClerkPC, number: str) -> None:
    """The Petugas Pelayanan takes the complaint in (step 2, with the MS/TMS decision of the intake):
    anonymous (name and NIK left empty, as the service promises), the complaint's text, how it came
    in (by phone here) and its SP4N-LAPOR! tracking number. The card then shows what was recorded."""
    form = step_form(pc.card(number), 2)
    expect(form).to_contain_text("nama dan NIK boleh dikosongkan")
    expect(form.get_by_label("Nama pelapor (opsional)")).to_be_visible()
    expect(form.get_by_label("Alamat (opsional)")).to_be_visible()
    expect(form.locator("input[name=nik][required], input[name=name][required]")).to_have_count(0)
    form.get_by_label("Telepon", exact=True).check()
    clerk_receive(pc, number, decision="MS", extra={"text": COMPLAINT, "lapor_number": LAPOR})
    record = pc.card(number).locator("#complaint-record")
    expect(record).to_contain_text("Anonim (identitas dirahasiakan)")
    expect(record).to_contain_text(f"Telepon: {COMPLAINT}")
    expect(record.locator(".lapor")).to_have_text(LAPOR)


def test_walk_complaint(office, shot):
    tv, kiosk = office.tv, office.kiosks[1]
    # The complaint is received by a Petugas Pelayanan (the SOP's step 2) at Loket 3, the loket that
    # serves complaints; Tim Pengaduan classifies it and delivers the decision.
    desk = office.clerk("pelayanan1", loket="Loket 3")
    team = office.clerk("pengaduan")

    t, phone = walk_in_and_call(office, kiosk, "pengaduan", desk, "Loket 3", steps=6)
    moment(shot, "01-called", tv=tv, desk=desk[0].page, team=team[0].page, phone=phone)

    complaint_intake(desk[0], t.number)
    phone_shows(phone, "in_progress", step="3/6")
    moment(shot, "02-intake-recorded", desk=desk[0].page, phone=phone)
    clerk_do_step(team, t.number, 3)
    clerk_do_step(office.clerk("sekcam"), t.number, 4)
    # The Camat decides and records the outcome (the berita acara kesepakatan).
    camat = office.clerk("camat")
    expect(step_form(camat[0].card(t.number), 5).locator(".complaint-text")).to_contain_text(COMPLAINT,
                                                                                           timeout=LIVE_MS)
    card = clerk_do_step(camat, t.number, 5, fields={"outcome": OUTCOME})
    expect(card.locator("#complaint-record")).to_contain_text(OUTCOME)
    moment(shot, "03-decided", camat=camat[0].page)
    phone_shows(phone, "in_progress", step="6/6")

    # The decision (berita acara) is delivered in person by Tim Pengaduan at Loket 3.
    clerk_call_for_pickup(team[0], t.number, "Loket 3")
    assert_tv_calls(tv, t.number, "Loket 3")
    phone_shows(phone, "in_progress", banner="Loket 3")
    moment(shot, "04-decision-call", tv=tv, team=team[0].page, phone=phone)
    clerk_hand_over(team[0], t.number, 6, pickup_code_of(office, t))
    phone_shows(phone, "done")
    assert_tv_not_serving(tv, t.number, "Loket 3")
    moment(shot, "05-done", tv=tv, team=team[0].page, phone=phone)
    # the complaint and its outcome are staff data: never on the TV or the phone
    for screen in (tv, phone):
        text = screen.locator("body").inner_text()
        assert COMPLAINT not in text and OUTCOME not in text and LAPOR not in text, screen.url

    # The Camat finds the complaint in the Buku Register by its SP4N-LAPOR! number (from the menu).
    pc = camat[1]
    try:
        pc.page.locator("#staff-menu a", has_text="Buku Register").click()
        expect(pc.page.locator("h1").first).to_contain_text("Buku Register")
        pc.page.fill("input[name=q]", LAPOR)
        with pc.page.expect_navigation():
            pc.page.get_by_role("button", name="Tampilkan").click()
        row = pc.page.locator("#complaints tbody tr", has_text=t.number)
        expect(row).to_have_count(1)
        for shown in ("Anonim", "Telepon", COMPLAINT, OUTCOME, LAPOR, "Selesai", "dengan kode pengambilan"):
            expect(row).to_contain_text(shown)
        expect(row).not_to_contain_text("done")  # the result by its name, not its code
        moment(shot, "06-register", camat=pc.page)
    finally:
        pc.open()


def test_walk_tms(office, shot):
    tv, kiosk = office.tv, office.kiosks[1]
    loket2 = office.clerk("pelayanan2")
    kasi = office.clerk("kasi")
    missing = "Surat keterangan kematian pewaris"
    note = "Surat kematian dari desa belum dilampirkan"

    t = kiosk_take(office, kiosk, "ahli_waris")
    kiosk_done(kiosk)
    phone = office.phone(t)
    clerk_call_next(loket2, t.number)
    assert_tv_calls(tv, t.number, "Loket 2")
    clerk_receive(loket2[0], t.number, APPLICANT)
    card = clerk_do_step(kasi, t.number, 3, decision="TMS", missing=(missing,), note=note)
    expect(card).to_have_attribute("data-status", "returned")
    expect(card.locator("p.tms")).to_contain_text(missing)

    phone_shows(phone, "returned", banner="belum lengkap")
    expect(phone.locator("#st-missing-list")).to_contain_text(missing)
    assert_tv_not_serving(tv, t.number, "Loket 2")
    # the loket's screen shows the returned file too (a pushed refresh), on the PC that received it
    expect(loket2[0].card(t.number).locator(".state")).to_have_text("Dikembalikan (TMS)", timeout=LIVE_MS)
    moment(shot, "01-returned", tv=tv, pc1=loket2[0].page, kasi=kasi[0].page, phone=phone)


def test_walk_no_show(office, shot):
    tv, kiosk = office.tv, office.kiosks[0]
    loket1 = office.clerk("pelayanan1")

    t = kiosk_take(office, kiosk, "kk")
    kiosk_done(kiosk)
    phone = office.phone(t)
    clerk_call_next(loket1, t.number)
    assert_tv_calls(tv, t.number, "Loket 1")
    clerk_recall(loket1[0], t.number)
    expect(tv.locator("#now-kind")).to_have_text("Panggilan ulang", timeout=LIVE_MS)
    expect(tv.locator("#now-number")).to_have_text(t.number)
    phone_shows(phone, "called", banner="silakan menuju Loket 1")
    moment(shot, "01-recalled", tv=tv, pc1=loket1[0].page, phone=phone)

    # Nobody comes: back to the queue once (the office's setting), then dropped.
    assert "dikembalikan ke antrean" in clerk_no_show(loket1[0], t.number)
    phone_shows(phone, "waiting")
    assert_tv_not_serving(tv, t.number, "Loket 1")
    expect(tv_waiting(tv, "adminduk")).to_have_text("1", timeout=LIVE_MS)
    clerk_call_next(loket1, t.number)
    phone_shows(phone, "called")
    assert "antrean dibatalkan" in clerk_no_show(loket1[0], t.number)
    phone_shows(phone, "no_show", banner="tidak hadir")
    assert_tv_not_serving(tv, t.number, "Loket 1")
    expect(tv_waiting(tv, "adminduk")).to_have_text("0", timeout=LIVE_MS)
    moment(shot, "02-dropped", tv=tv, pc1=loket1[0].page, phone=phone)


def test_walk_transfer(office, shot):
    tv, kiosk = office.tv, office.kiosks[0]
    loket1, loket2 = office.clerk("pelayanan1"), office.clerk("pelayanan2")

    # The citizen took a KTP ticket but needs an SKTM: Loket 1 sends the ticket to Loket 2.
    t = kiosk_take(office, kiosk, "ktp")
    kiosk_done(kiosk)
    phone = office.phone(t)
    clerk_call_next(loket1, t.number)
    assert_tv_calls(tv, t.number, "Loket 1")
    clerk_transfer(loket1[0], t.number, loket="Loket 2", service="sktm")
    phone_shows(phone, "waiting")
    assert_tv_not_serving(tv, t.number, "Loket 1")
    for pc in loket1:
        expect(pc.card(t.number)).to_have_count(0)
    # Loket 2's queue has it first, on both PCs (a live redraw of the queue bar and the list).
    for pc in loket2:
        expect(pc.page.locator('.count[data-group="surat_keterangan"] b')).to_have_text("1", timeout=LIVE_MS)
    moment(shot, "01-transferred", tv=tv, pc1=loket1[0].page, loket2=loket2[0].page, phone=phone)

    clerk_call_next(loket2, t.number)
    assert_loket_shows(loket2, t.number, "called")
    expect(loket2[0].card(t.number).locator(".svc")).to_have_text(re.compile("Tidak Mampu"))
    assert_tv_calls(tv, t.number, "Loket 2")
    phone_shows(phone, "called", banner="silakan menuju Loket 2")
    moment(shot, "02-called-at-loket-2", tv=tv, pc1=loket2[0].page, phone=phone)
    clerk_receive(loket2[0], t.number, APPLICANT)
    phone_shows(phone, "in_progress", step="3/7")


def test_walk_relogin_in_the_middle_of_a_ticket(office, shot):
    tv, kiosk = office.tv, office.kiosks[1]
    loket2 = office.clerk("pelayanan2")

    t = kiosk_take(office, kiosk, "bepergian")
    kiosk_done(kiosk)
    phone = office.phone(t)
    clerk_call_next(loket2, t.number)
    assert_tv_calls(tv, t.number, "Loket 2")
    phone_shows(phone, "called")

    # The clerk logs out and in again while the applicant walks to the desk (logging out ends the
    # user's sessions on both PCs); the ticket is still called, the TV still shows it.
    clerk_relogin(loket2[0])
    loket2[1].open()
    assert tv_now_serving(tv)["Loket 2"] == t.number
    phone_shows(phone, "called")
    clerk_find_ticket(loket2[0], t.number)
    clerk_find_ticket(loket2[1], t.number)
    moment(shot, "01-after-relogin", pc1=loket2[0].page, pc2=loket2[1].page, tv=tv)
    clerk_receive(loket2[0], t.number, APPLICANT)
    assert_loket_shows(loket2[:1], t.number, "in_progress")
    phone_shows(phone, "in_progress", step="3/8")


# == what #15 asks for, item by item =============================================================
# Each test sets up through the staff API (fast), looks at the screens, and asserts what #15
# promises (a strict xfail mark, with its reason, where a behaviour is not right yet).

def api_issue(office: Office, service: str) -> Ticket:
    """A ticket taken at a kiosk, through the kiosk's API (when the kiosk screen is not the point)."""
    resp = requests.post(f"{office.base}/api/v1/tickets", json={"service": service}, timeout=10)
    assert resp.status_code == 201, resp.text
    data = resp.json()
    ticket = Ticket(number=data["number"], public_id=data["public_id"], id=data["id"], service=service)
    office.tickets.append(ticket)
    return ticket


def api_post(office: Office, user: str, path: str, body: dict | None = None) -> dict:
    resp = office.api(user).post(f"{office.base}/api/v1/staff{path}", json=body or {}, timeout=10)
    assert resp.status_code == 200, f"{user} {path}: {resp.status_code} {resp.text}"
    return resp.json()


def api_call_next(office: Office, user: str, expected: Ticket) -> None:
    called = api_post(office, user, "/call-next")["ticket"]
    assert called and called["number"] == expected.number, called


def api_steps(office: Office, ticket: Ticket, steps: list[tuple[int, str, dict]]) -> None:
    """Complete ``steps`` — (number, user, body) — of a called ticket through the staff API. A
    hand-over step is sent with the ticket's pickup code (ignored by a server that does not ask)."""
    for number, user, body in steps:
        if body.get("handover"):
            body = {"pickup_code": pickup_code_of(office, ticket)}
        api_post(office, user, f"/tickets/{ticket.id}/steps/{number}", body)


RECEIVED = {"applicant": APPLICANT}
SKTM_TO_HANDOVER = [(2, "pelayanan2", RECEIVED), (3, "kasi", {"decision": "MS"}), (4, "register", {}),
                    (5, "sekcam", {})]  # then step 6: the hand-over at Loket 2
EKTP_TO_RECORDING = [(2, "pelayanan1", RECEIVED), (3, "verifikasi", {"decision": "MS"}), (4, "register", {}),
                     (5, "kasi", {})]  # then step 6: the recording at Loket 1


def test_issue15_item1_the_called_ticket_is_on_both_pcs(office, shot):
    """The ticket a loket called is on every PC of its clerk: one that was open when it was called
    (a live refresh) and one opened afterwards."""
    loket1 = office.clerk("pelayanan1")
    t = api_issue(office, "kk")
    clerk_call_next(loket1, t.number)
    loket1[1].open()  # the clerk's other PC, opened now (and, live, before it)
    moment(shot, "pcs", pc1=loket1[0].page, pc2=loket1[1].page)
    for pc in loket1:
        expect(pc.card(t.number), f"{pc.label} does not show the loket's ticket").to_be_visible(timeout=NOW_MS)


def test_issue15_item1_the_called_ticket_survives_a_relogin(office, shot):
    """A re-login (which ends the user's sessions on both PCs) loses nothing: the called ticket is
    the loket's, not the browser's."""
    loket2 = office.clerk("pelayanan2")
    t = api_issue(office, "sktm")
    clerk_call_next(loket2, t.number)
    clerk_relogin(loket2[0])
    loket2[1].open()
    moment(shot, "after-relogin", pc1=loket2[0].page, pc2=loket2[1].page)
    for pc in loket2:
        expect(pc.card(t.number), f"{pc.label} lost the called ticket").to_be_visible(timeout=NOW_MS)


def test_issue15_item1_the_loket_holds_its_ticket_in_the_api(office):
    first, second = api_issue(office, "kk"), api_issue(office, "kk")
    api_call_next(office, "pelayanan1", first)
    api = office.api("pelayanan1")
    loket = office.loket_ids["Loket 1"]
    resp = api.get(f"{office.base}/api/v1/staff/lokets/{loket}", timeout=10)
    assert resp.status_code == 200, resp.status_code
    assert [t["number"] for t in resp.json()["called"]] == [first.number], resp.json()
    resp = api.post(f"{office.base}/api/v1/staff/call-next", json={}, timeout=10)
    assert resp.status_code == 409 and resp.json()["code"] == "loket_busy", (resp.status_code, resp.text)
    assert office.public(second)["status"] == "waiting"


def test_issue15_item1_a_busy_loket_offers_the_choices(office, shot):
    """"Panggil berikutnya" while the loket still holds a called ticket calls nobody (409): the
    screen names the held ticket and offers "Tidak hadir", "Kembalikan ke antrean" and "Panggil
    tetap"; the last calls the next ticket anyway and the loket then holds both, on both PCs."""
    loket1 = office.clerk("pelayanan1")
    first, second = api_issue(office, "kk"), api_issue(office, "kk")
    clerk_call_next(loket1, first.number)
    pc = loket1[0]
    pc.press(pc.page.locator("#call-next"))
    busy = pc.page.locator("#loket-busy")
    expect(busy).to_be_visible()
    expect(busy.locator("h2")).to_have_text("Loket 1 masih memegang tiket")
    held = busy.locator(f'li[data-held="{first.number}"]')
    expect(held).to_contain_text("Dipanggil, pemohon belum datang")
    expect(held.locator("button.busy-no-show")).to_have_text("Tidak hadir")
    expect(held.locator("button.busy-return")).to_have_text("Kembalikan ke antrean")
    expect(busy.locator("#call-anyway")).to_have_text("Panggil tetap")
    moment(shot, "busy", pc1=pc.page)
    assert office.public(second)["status"] == "waiting", "a busy loket called the next ticket"
    assert office.public(first)["status"] == "called", "the refused call dropped the held ticket"
    pc.press(busy.locator("#call-anyway"))
    expect(pc.flash()).to_contain_text(f"Memanggil {second.number}")
    for number in (first.number, second.number):
        assert_loket_shows(loket1, number, "called")  # nothing is invisible
    moment(shot, "called-anyway", pc1=pc.page, pc2=loket1[1].page)


def test_issue15_item2_the_recording_call_is_not_a_pickup(office, shot):
    """The e-KTP recording call says what it is for, on the TV and the phone, and lists no ready
    document."""
    tv, loket1 = office.tv, office.clerk("pelayanan1")
    t = api_issue(office, "ektp")
    api_call_next(office, "pelayanan1", t)
    api_steps(office, t, EKTP_TO_RECORDING)
    phone = office.phone(t)
    clerk_call_for_recording(loket1[0], t.number, "Loket 1")
    expect(tv.locator("#now-number")).to_have_text(t.number, timeout=LIVE_MS)
    moment(shot, "call", tv=tv, phone=phone)
    # the kind of call comes with the call itself; the lists follow with the next snapshot
    expect(tv.locator("#now-kind")).not_to_have_text("Dokumen siap diambil", timeout=NOW_MS)
    expect(tv.locator("#now")).to_contain_text(re.compile("perekaman", re.I), timeout=NOW_MS)
    expect(tv.locator("#ready")).not_to_contain_text(t.number, timeout=BUG_MS)
    expect(phone.locator("#st-banner")).not_to_contain_text("Dokumen siap", timeout=BUG_MS)


def test_issue15_item2_oss_ends_with_a_pickup_call(office):
    """After the Pengolah Data's input the OSS file is not finished: the NIB waits for its applicant
    (the walk calls them and hands it over, ``oss_hand_over``)."""
    t = api_issue(office, "oss")
    api_call_next(office, "teknis", t)
    api_steps(office, t, [(2, "teknis", {"decision": "MS"}), (3, "kasi", {}), (4, "pengolah", {})])
    assert office.public(t)["status"] == "in_progress", "the OSS file ended without the applicant collecting the NIB"
    assert_tv_ready(office.tv, t.number)


def test_issue15_item3_call_next_offers_only_what_the_clerk_can_do(office, shot):
    team = office.clerk("pengaduan")
    t = api_issue(office, "pengaduan")
    pc = team[0]
    pc.press(pc.page.locator("#call-next"))
    moment(shot, "pressed", team=pc.page)
    assert office.public(t)["status"] == "waiting", (
        f"Tim Pengaduan called {t.number}, whose intake only a Petugas Pelayanan can do")
    expect(pc.flash()).to_contain_text("Tidak ada antrean yang menunggu.")


def test_issue15_item3_a_ticket_the_clerk_cannot_serve_says_who_can(office, shot):
    """A complaint called to Loket 3 (here by a Petugas Pelayanan working there for a while) is
    on the screen of the Tim Teknis at Loket 3 too, whose roles cannot receive it: the card says
    whose step it is and at which lokets they work, and offers the transfer."""
    t = api_issue(office, "pengaduan")
    api_post(office, "pelayanan1", f"/tickets/{t.id}/call", {"loket": office.loket_ids["Loket 3"]})
    loket3 = office.clerk("teknis")
    for pc in loket3:
        expect(pc.card(t.number), f"{pc.label} does not show the loket's ticket").to_be_visible(timeout=LIVE_MS)
    pc = loket3[0]
    held = pc.page.locator(f'#loket-tickets .held[data-held="{t.number}"]')
    who = held.locator(".who-can")
    expect(who).to_contain_text("Langkah 2 (Menerima laporan pengaduan baik secara lisan maupun tertulis) "
                                "dikerjakan oleh Petugas Pelayanan, bukan oleh peran Anda.")
    expect(who).to_contain_text("Petugas Pelayanan ada di: Loket 1, Loket 2.")
    expect(who).to_contain_text("Alihkan tiket ini ke loket yang sesuai.")
    expect(held.locator("form.step-form")).to_have_count(0)  # no form the clerk may not send
    transfer = held.locator("form.transfer")
    expect(transfer.locator("select[name=loket_id]")).to_be_visible()
    expect(transfer.get_by_role("button", name="Alihkan")).to_be_visible()
    moment(shot, "who-can", teknis=pc.page)
    clerk_transfer(pc, t.number, loket="Loket 1")
    assert office.public(t)["status"] == "waiting"


def test_issue15_item4_now_serving_clears(office, shot):
    """"Sedang dilayani" clears on done, TMS, no-show and transfer (the walks check it too)."""
    tv = office.tv
    # done: an SKTM handed over at Loket 2
    done = api_issue(office, "sktm")
    api_call_next(office, "pelayanan2", done)
    expect(tv_tile(tv, "Loket 2")).to_have_text(done.number, timeout=LIVE_MS)
    api_steps(office, done, SKTM_TO_HANDOVER + [(6, "pelayanan2", {"handover": True})])
    assert office.public(done)["status"] == "done"
    moment(shot, "done", tv=tv)
    expect(tv_tile(tv, "Loket 2"), "a finished number is 'being served'").not_to_have_text(done.number,
                                                                                         timeout=BUG_MS)
    # returned (TMS): an SKTM at Loket 2 the Kasi returns
    returned = api_issue(office, "sktm")
    api_call_next(office, "pelayanan2", returned)
    expect(tv_tile(tv, "Loket 2")).to_have_text(returned.number, timeout=LIVE_MS)
    api_steps(office, returned, [(2, "pelayanan2", RECEIVED),
                                 (3, "kasi", {"decision": "TMS", "note": "Surat pengantar belum ada"})])
    expect(tv_tile(tv, "Loket 2"), "a returned number is 'being served'").not_to_have_text(returned.number,
                                                                                         timeout=BUG_MS)
    # dropped: a KK ticket at Loket 1 whose applicant never comes (requeued once, then dropped)
    dropped = api_issue(office, "kk")
    for _ in range(2):
        api_call_next(office, "pelayanan1", dropped)
        api_post(office, "pelayanan1", f"/tickets/{dropped.id}/no-show")
    assert office.public(dropped)["status"] == "no_show"
    expect(tv_tile(tv, "Loket 1"), "a dropped number is 'being served'").not_to_have_text(dropped.number,
                                                                                        timeout=BUG_MS)
    # transferred: an OSS ticket called at Loket 3 and sent to Loket 2's queue
    moved = api_issue(office, "oss")
    api_call_next(office, "teknis", moved)
    expect(tv_tile(tv, "Loket 3")).to_have_text(moved.number, timeout=LIVE_MS)
    api_post(office, "teknis", f"/tickets/{moved.id}/transfer", {"loket": office.loket_ids["Loket 2"]})
    expect(tv_tile(tv, "Loket 3"), "a transferred number is 'being served'").not_to_have_text(moved.number,
                                                                                            timeout=BUG_MS)


def test_issue15_item4_a_recall_takes_one_row(office, shot):
    tv = office.tv
    t = api_issue(office, "kk")
    api_call_next(office, "pelayanan1", t)
    api_post(office, "pelayanan1", f"/tickets/{t.id}/recall", {"kind": "recall"})
    expect(tv.locator("#now-kind")).to_have_text("Panggilan ulang", timeout=LIVE_MS)
    tv.wait_for_timeout(1_000)  # the snapshot after the recall
    moment(shot, "tv", tv=tv)
    expect(tv.locator("#recent li b").filter(has_text=t.number)).to_have_count(1, timeout=BUG_MS)


def test_issue15_item4_the_running_text_never_covers_the_ready_list(office, browser, shot):
    small = browser.new_context(viewport={"width": 1280, "height": 720})  # a smaller TV
    kasi = Staff(office.server, "kasi")
    try:
        tvs = {"1920x1080": office.tv, "1280x720": small.new_page()}
        tvs["1280x720"].goto(f"{office.base}/display/")
        t = api_issue(office, "sktm")
        api_call_next(office, "pelayanan2", t)
        # a busy morning: 8 calls fill "Panggilan terakhir" (recalls of one number today; once #15's
        # one-row-per-number rule lands, they take one row and the list is shorter)
        for _ in range(7):
            api_post(office, "pelayanan2", f"/tickets/{t.id}/recall", {"kind": "recall"})
        api_steps(office, t, SKTM_TO_HANDOVER)  # signed: ready to collect
        kasi.send("/display/settings", {"running_text": "Pelayanan KTP elektronik setiap hari kerja pukul "
                                                        "08.00-14.00 WIB. Jagalah kebersihan ruang tunggu."})
        for size, tv in tvs.items():
            expect(tv.locator("#ticker")).to_be_visible(timeout=LIVE_MS)
            expect(tv.locator("#ready")).to_contain_text(t.number, timeout=LIVE_MS)
            moment(shot, size, tv=tv)
        for tv in tvs.values():
            assert_uncovered(tv, "#ready")
    finally:
        kasi.send("/display/settings", {"running_text": ""})
        expect(office.tv.locator("#ticker")).to_be_hidden(timeout=LIVE_MS)
        small.close()


def test_issue15_item4_the_sound_box_never_covers_the_call(office, browser, shot):
    context = browser.new_context(viewport=TV)  # a TV nobody has tapped yet: the browser blocks sound
    try:
        tv = context.new_page()
        tv.goto(f"{office.base}/display/")
        expect(tv.locator("body")).to_have_attribute("data-audio", "blocked")
        t = api_issue(office, "kk")
        api_call_next(office, "pelayanan1", t)
        expect(tv.locator("#now-number")).to_have_text(t.number, timeout=LIVE_MS)
        tv.wait_for_timeout(1_500)  # the flash is over
        moment(shot, "tv", tv=tv)
        assert_uncovered(tv, "#now-number")
    finally:
        context.close()


def test_issue15_item5_the_hand_over_asks_the_pickup_code(office, shot):
    """The hand-over asks for the code on the applicant's ticket: none, or a wrong one, hands
    nothing over; the right one does. (Handing over without the code, for a reason, is in
    tests/browser/test_handover.py.)"""
    loket2 = office.clerk("pelayanan2")
    t = api_issue(office, "sktm")
    api_call_next(office, "pelayanan2", t)
    api_steps(office, t, SKTM_TO_HANDOVER)
    pc = loket2[0]
    pc.open()
    form = step_form(pc.card(t.number), 6)
    expect(form.get_by_label("Kode pengambilan (tercetak pada tiket pemohon)")).to_be_visible()
    code = pickup_code_of(office, t)
    assert code not in pc.page.content(), "the counter shows the code it asks for"
    moment(shot, "hand-over", pc1=pc.page)
    pc.press(form.locator("button[type=submit]"))  # no code typed
    expect(pc.page.locator("p.flash.error")).to_contain_text("Minta kode pengambilan yang tercetak pada tiket")
    assert office.public(t)["status"] == "in_progress", "the document was handed over without a code"
    clerk_hand_over_refused(pc, t.number, 6, wrong_code(code))
    moment(shot, "wrong-code", pc1=pc.page)
    assert office.public(t)["status"] == "in_progress", "a wrong code handed the document over"
    clerk_hand_over(pc, t.number, 6, code)
    assert office.public(t)["status"] == "done"


def test_issue15_item6_a_complainant_who_gives_a_nik_gets_it_checked(office, shot):
    """The complaint may be anonymous (the walk, ``complaint_intake``); a complainant who does give a
    NIK gets it checked for plausibility: "0000000000000000" is refused, nothing is recorded; a
    plausible one is taken, and neither name nor NIK reaches the phone."""
    desk = office.clerk("pelayanan1", loket="Loket 3")
    t = api_issue(office, "pengaduan")
    clerk_call_next(desk, t.number)
    pc = desk[0]
    form = step_form(pc.card(t.number), 2)
    form.locator("input[name=name]").fill(COMPLAINANT["name"])
    form.locator("input[name=nik]").fill("0000000000000000")
    form.get_by_label("Langsung", exact=True).check()
    form.locator("[name=text]").fill(COMPLAINT)
    form.locator("input[name=decision][value=MS]").check()
    pc.press(form.locator("button[type=submit]"))
    expect(pc.page.locator("p.flash.error")).to_contain_text("NIK tidak boleh berisi nol semua.")
    moment(shot, "zero-nik-refused", desk=pc.page)
    assert office.public(t)["status"] == "called", "an implausible NIK was accepted"
    expect(pc.card(t.number).locator("#complaint-record")).to_have_count(0)  # nothing recorded
    form = step_form(pc.card(t.number), 2)
    form.get_by_label("Langsung", exact=True).check()
    clerk_receive(pc, t.number, COMPLAINANT, decision="MS", extra={"text": COMPLAINT})
    expect(pc.card(t.number).locator("#complaint-record")).to_contain_text(f"Langsung: {COMPLAINT}")
    phone_shows(office.phone(t), "in_progress", step="3/6")


def test_a_refused_intake_keeps_what_the_clerk_typed(office, shot):
    """Bad input gets a clear message and nothing is lost (CONTRIBUTING): after a NIK is refused the
    complaint's text, channel, the NIK typed and the decision are still in the form; the clerk
    corrects the NIK and sends it again."""
    desk = office.clerk("pelayanan1", loket="Loket 3")
    t = api_issue(office, "pengaduan")
    clerk_call_next(desk, t.number)
    pc = desk[0]
    form = step_form(pc.card(t.number), 2)
    form.locator("input[name=nik]").fill("0000000000000000")
    form.get_by_label("Tertulis", exact=True).check()
    form.locator("[name=text]").fill(COMPLAINT)
    form.locator("input[name=decision][value=MS]").check()
    pc.press(form.locator("button[type=submit]"))
    expect(pc.page.locator("p.flash.error")).to_contain_text("NIK")
    form = step_form(pc.card(t.number), 2)
    moment(shot, "after-the-refusal", desk=pc.page)
    expect(form.locator("[name=text]")).to_have_value(COMPLAINT, timeout=NOW_MS)
    expect(form.get_by_label("Tertulis", exact=True)).to_be_checked(timeout=NOW_MS)
    expect(form.locator("input[name=nik]")).to_have_value("0000000000000000")
    expect(form.locator("input[name=decision][value=MS]")).to_be_checked()
    assert pc.page.url.endswith("/counter/"), pc.page.url  # a reload does not send the form again
    form.locator("input[name=nik]").fill(COMPLAINANT["nik"])
    pc.press(form.locator("button[type=submit]"))
    expect(pc.flash()).to_contain_text(f"Langkah 2 selesai untuk {t.number}")
    expect(pc.card(t.number).locator("#complaint-record")).to_contain_text(f"Tertulis: {COMPLAINT}")


CAMAT_MENU = {  # what the Camat may open, and the heading each page opens with
    "Loket": None, "Berkas menunggu": "Berkas menunggu langkah Anda", "Laporan": "Laporan",
    "Buku Register": "Buku Register", "Paket evaluasi": "Paket evaluasi pelayanan publik",
    "Hasil SKM": "Hasil Survei Kepuasan Masyarakat", "Layanan kios": "Layanan kios hari ini", "Antrean cetak": "Antrean cetak",
    "Standar Pelayanan": "Standar Pelayanan dan Maklumat Pelayanan",
}


def test_issue15_item7_the_camat_has_a_menu(office, shot):
    """The Camat lands on the counter page with a menu of every page the Camat may open; each
    opens (no 403) and keeps the menu; the display settings and the administration are not in it."""
    camat = office.clerk("camat")[1]
    try:
        camat.open()
        menu = camat.page.locator("#staff-menu a")
        expect(menu).to_have_text(list(CAMAT_MENU))
        expect(camat.page.get_by_text("Kecamatan Kampak", exact=True)).to_have_count(1)  # named once
        moment(shot, "camat", camat=camat.page)
        for label, heading in CAMAT_MENU.items():
            with camat.page.expect_navigation():
                menu.filter(has_text=label).first.click()
            expect(camat.page.locator("#staff-menu a[aria-current=page]")).to_have_text(label)
            expect(menu).to_have_text(list(CAMAT_MENU))
            if heading:
                expect(camat.page.locator("h1").first).to_contain_text(heading)
            text = camat.page.locator("body").inner_text()
            assert "Akses ditolak" not in text and "Forbidden" not in text, f"the Camat's menu leads to a 403: {label}"
        moment(shot, "camat-last-page", camat=camat.page)
    finally:
        camat.open()


def test_issue15_item8_the_kiosk_asks_before_it_prints(office, shot):
    """A tap on a service shows it and its documents, with "Ambil tiket" and "Kembali"; "Kembali"
    issues no ticket (the TV's waiting count stays); "Ambil tiket" issues one."""
    tv, kiosk = office.tv, office.kiosks[1]
    waiting = tv_waiting(tv, "pengaduan")
    before = int(waiting.inner_text() or 0) if waiting.count() else 0
    kiosk.locator('button.group[data-group="pengaduan"]').tap()
    kiosk.locator('button.service[data-service="pengaduan"]').tap()
    expect(kiosk.locator("#step-confirm")).to_be_visible()
    expect(kiosk.locator("#confirm-service")).to_have_text("Pelayanan Pengaduan Masyarakat")
    expect(kiosk.locator("#confirm-docs")).to_contain_text("Uraian pengaduan (lisan atau tertulis)")
    expect(kiosk.get_by_role("button", name="Ambil tiket")).to_be_visible()
    expect(kiosk.locator("#confirm-back")).to_have_text(re.compile("Kembali"))
    expect(kiosk.locator("#step-result")).to_be_hidden()
    moment(shot, "confirm", kiosk=kiosk)
    kiosk.wait_for_timeout(CONFIRM_GUARD_MS)
    kiosk.locator("#confirm-back").tap()
    expect(kiosk.locator("#step-confirm")).to_be_hidden()
    expect(kiosk.locator('button.service[data-service="pengaduan"]')).to_be_visible()
    expect(kiosk.locator("#step-result")).to_be_hidden()
    moment(shot, "back", kiosk=kiosk)
    kiosk_open(kiosk, office.base)
    t = kiosk_take(office, kiosk, "pengaduan")
    kiosk_done(kiosk)
    expect(tv_waiting(tv, "pengaduan")).to_have_text(str(before + 1), timeout=LIVE_MS)
    tv.wait_for_timeout(1_000)  # a ticket "Kembali" had issued would show by now
    expect(tv_waiting(tv, "pengaduan")).to_have_text(str(before + 1))
    assert office.public(t)["position"] == before, "a ticket was issued before this one"


def test_issue15_item9_the_phone_alerts_when_called(office, shot):
    """When the number is called the status page shows an alert banner over the page, sounds (once
    the citizen touched the page: browsers allow sound only then) and vibrates; "Baik, saya menuju
    loket" puts the banner away. Its times are the office's, on a phone set to UTC."""
    t = api_issue(office, "kk")
    phone = office.phone(t)
    expect(phone.locator("#st-alert")).to_be_hidden()
    phone.locator("#st-sound").tap()  # the citizen touched the page once, as it asks
    api_call_next(office, "pelayanan1", t)
    phone_shows(phone, "called", banner="silakan menuju Loket 1")
    alert = phone.locator("#st-alert")
    expect(alert).to_be_visible()
    expect(alert.locator("#st-alert-text")).to_have_text("Nomor Anda dipanggil — silakan menuju Loket 1")
    assert_uncovered(phone, "#st-alert-text")
    moment(shot, "called", phone=phone)
    assert wait_for(lambda: {"vibrate", "tone"} <= set(phone_alerted(phone)), 2.0), (
        f"the phone did not both sound and vibrate: {phone_alerted(phone)}")
    phone.locator("#st-alert-ok").tap()
    expect(alert).to_be_hidden()
    phone_shows(phone, "called", banner="silakan menuju Loket 1")  # the page itself still says so
    # a phone set to another zone (here UTC) still tells the office's time
    now = datetime.now(TZ)
    shown = {f"{m:%H.%M}" for m in (now, now.replace(second=0) - timedelta(minutes=1))}
    expect(phone.locator("#st-updated")).to_contain_text(re.compile("|".join(shown)))

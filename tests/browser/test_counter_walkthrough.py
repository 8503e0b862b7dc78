"""A Surat Keterangan Ahli Waris file walked through its whole SOP in real browsers, one per role:
the front desk receives it, the Kasi verifies it (MS or TMS), Register gives the agenda number,
the Sekcam passes it on, the Camat signs, and the front desk hands it over to the applicant.

Every counter page is expected to follow the file live: counter.js swaps the page's content in
place when the hub pushes a ``ticket`` event it shows, so the tests wait for the card to appear
without reloading by hand, and check the page did not reload to show it.
The applicant's public status page (``/kiosk/t/<public_id>``) follows the same file and must never
show who the applicant is.

Runs against ``antrean serve`` (the ``live_server`` fixture) with Debian's Chromium. Screenshots
are kept in ``test-artifacts/`` as ``walkthrough-<role>-step<n>.png`` (and ``tms-...``, ``timer-...``).
"""
from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest

from tests.support.env import ARTIFACTS
from tests.support.needs_playwright import expect
from tests.support.printed import printed_pickup_code

pytestmark = pytest.mark.browser

APPLICANT_NAME = "Bambang Sutrisno Hadi"
APPLICANT_NIK = "3503121708650002"
SERVICE = "ahli_waris"
AGENDA_RE = re.compile(r"474/\d{3}/406\.07/\d{4}")
LIVE_MS = 5_000  # a pushed change must show on a counter page within this, without a manual reload
COUNTER_VIEWPORT = {"width": 1366, "height": 768}
PHONE_VIEWPORT = {"width": 390, "height": 844}


# -- helpers ---------------------------------------------------------------------------------


def issue_ticket(base: str, service: str = SERVICE) -> dict:
    """Take a ticket as the kiosk does (POST /api/v1/tickets) and return the API's answer."""
    req = urllib.request.Request(f"{base}/api/v1/tickets", data=json.dumps({"service": service}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201
        return json.loads(resp.read())


def save(page, name: str) -> None:
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


class Counter:
    """One clerk's browser context on the counter screen."""

    def __init__(self, new_page, live_server, username: str):
        self.base = live_server.url
        self.passwords = live_server.passwords
        self.page = new_page(viewport=COUNTER_VIEWPORT)
        self.loads = 0  # every navigation of the page (counter.js itself never reloads it)
        self.connected_load = -1  # the navigation whose page last joined the /counter namespace
        self.page.on("framenavigated", self._navigated)
        self.websockets: list[int] = []  # the navigation during which each WebSocket was opened
        self.page.on("websocket", self._websocket)
        self.team: list[Counter] = [self]  # the screens open at once (see ``press``)
        self.login(username)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def _websocket(self, ws) -> None:
        self.websockets.append(self.loads)
        ws.on("framereceived", self._frame)

    def websockets_of_this_page(self) -> int:
        return self.websockets.count(self.loads)

    def _frame(self, payload) -> None:
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        if text.startswith("40/counter"):
            self.connected_load = self.loads

    def login(self, username: str) -> None:
        page = self.page
        page.goto(f"{self.base}/counter/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", self.passwords[username])
        with page.expect_navigation():
            page.click("#login")
        assert page.url.rstrip("/").endswith("/counter"), f"{username} could not log in: {page.url}"
        self.username = username
        self.wait_connected()

    def logout(self) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Keluar").click()
        assert self.page.url.endswith("/counter/login"), self.page.url

    def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until the page now shown has joined /counter over Socket.IO and has no refresh
        pending (counter.js: ``<body data-sync>``), so what it shows is current."""
        deadline = time.monotonic() + timeout
        while self.connected_load != self.loads or self.sync() != "idle":
            assert time.monotonic() < deadline, (
                f"{self.username}'s counter page did not settle: joined /counter "
                f"{self.connected_load == self.loads}, refresh {self.sync()}")
            self.page.wait_for_timeout(25)

    def sync(self) -> str | None:
        return self.page.evaluate("document.body.dataset.sync")

    def refreshes(self) -> int:
        return int(self.page.evaluate("document.body.dataset.refreshes || 0"))

    def card(self, number: str):
        return self.page.locator(f'article.ticket-card[data-ticket="{number}"]')

    def press(self, button) -> None:
        """Click a button that posts a form; first make sure every screen of the team will hear
        the push it causes, and after it wait until this page is connected again."""
        settle(*self.team)
        with self.page.expect_navigation():
            button.click()
        self.wait_connected()

    def submit(self, form) -> None:
        self.press(form.locator("button[type=submit]"))

    def shot(self, role: str, step: int | str, prefix: str = "walkthrough") -> None:
        save(self.page, f"{prefix}-{role}-step{step}")


def team(*counters: Counter) -> None:
    for counter in counters:
        counter.team = list(counters)


def settle(*counters: Counter) -> None:
    """Every screen listed is connected and quiet: the next push reaches them all."""
    for counter in counters:
        counter.wait_connected()


def wait_live(counter: Counter, locator, what: str, problems: list[str]) -> None:
    """Wait for ``locator`` to show up on a page that must refresh itself in place; note it (and
    reload by hand) if it does not, or if the page reloaded to show it."""
    loads_before, refreshes_before = counter.loads, counter.refreshes()
    started = time.monotonic()
    try:
        expect(locator).to_be_visible(timeout=LIVE_MS)
        print(f"{what}: live after {time.monotonic() - started:.2f} s "
              f"({counter.refreshes() - refreshes_before} in-place refreshes)")
        if counter.loads != loads_before:
            problems.append(f"{what}: the page reloaded ({counter.loads - loads_before} times) instead of "
                            "refreshing in place")
    except AssertionError:
        problems.append(f"{what}: not shown within {LIVE_MS / 1000:.0f} s without a manual reload "
                        f"(the page refreshed itself {counter.refreshes() - refreshes_before} times)")
        counter.page.reload()
        expect(locator).to_be_visible()


def step_form(card, number: int):
    form = card.locator(f'form.step-form[data-step="{number}"]')
    expect(form).to_be_visible()
    expect(form.locator("input[name=step]")).to_have_value(str(number))
    return form


def check_public(status_page, *, status: str, step: str | None, secrets: tuple[str, ...]) -> None:
    """The public status page shows ``status`` and ``step`` (e.g. "3/8"), and none of ``secrets``."""
    expect(status_page.locator("#st-status")).to_have_attribute("data-status", status)
    if step is None:
        expect(status_page.locator("#st-step")).to_have_text("-")
    else:
        expect(status_page.locator("#st-step")).to_contain_text(f"{step} · ")
    text = status_page.locator("body").inner_text()
    html = status_page.content()
    for secret in secrets:
        assert secret not in text and secret not in html, f"the public status page shows {secret!r}"


def secrets_of(name: str, nik: str) -> tuple[str, ...]:
    # The name, the NIK and the masked NIK the counter shows ("3503********0002").
    from antrean.shared.services.desk import mask_nik

    return (name, nik, mask_nik(nik))


# -- tests ----------------------------------------------------------------------------------


def test_family_b_ticket_walked_to_hand_over_by_four_roles(live_server, new_page):
    base = live_server.url
    problems: list[str] = []
    secrets = secrets_of(APPLICANT_NAME, APPLICANT_NIK)

    # The clerks log in first, so every screen is open when the file moves.
    front = Counter(new_page, live_server, "pelayanan2")
    kasi = Counter(new_page, live_server, "kasi")
    register = Counter(new_page, live_server, "register")
    chief = Counter(new_page, live_server, "sekcam")  # the same PC: the Sekcam, then the Camat
    team(front, kasi, register, chief)
    for c in (kasi, register, chief):
        expect(c.page.locator("#no-files")).to_be_visible()
        expect(c.page.locator("#call-next")).to_have_count(0)  # back office: nothing to call

    ticket = issue_ticket(base)
    assert ticket["number"] == "B001", ticket
    assert ticket["status_url"] == f"/kiosk/t/{ticket['public_id']}"

    # The applicant follows the file on a phone.
    phone = new_page(viewport=PHONE_VIEWPORT)
    phone.goto(base + ticket["status_url"])
    expect(phone.locator("#st-number")).to_have_text("B001")
    check_public(phone, status="waiting", step="1/8", secrets=secrets)
    expect(phone.locator("#st-status")).to_have_text("Menunggu dipanggil")
    save(phone, "walkthrough-public-step1")

    # Front desk, Loket 2: call, then receive (step 2).
    page = front.page
    loket = page.locator("select#loket")
    if loket.evaluate("el => el.options[el.selectedIndex].text") != "Loket 2":
        with page.expect_navigation():
            loket.select_option(label="Loket 2")
    # The queue bar counts the new ticket live (a ``queue`` push, no reload).
    expect(page.locator('.count[data-group="surat_keterangan"] b')).to_have_text("1")
    front.press(page.locator("#call-next"))
    expect(page.locator("p.flash.ok")).to_contain_text("B001")
    card = front.card("B001")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-status", "called")
    expect(card.locator(".state")).to_have_text("Dipanggil")
    check_public(phone, status="called", step="1/8", secrets=secrets)
    form = step_form(card, 2)
    form.locator("input[name=name]").fill(APPLICANT_NAME)
    form.locator("input[name=nik]").fill(APPLICANT_NIK)
    expect(form.locator("input[name=name]")).to_have_value(APPLICANT_NAME)
    expect(form.locator("input[name=nik]")).to_have_value(APPLICANT_NIK)
    front.shot("frontdesk", 2)
    front.submit(form)
    expect(page.locator("p.flash.ok")).to_contain_text("Langkah 2 selesai untuk B001")
    card = front.card("B001")
    expect(card).to_have_attribute("data-status", "in_progress")
    expect(card.locator("p.meta")).to_contain_text(APPLICANT_NAME)
    expect(card.locator("p.meta")).to_contain_text("3503")
    assert APPLICANT_NIK not in card.locator("p.meta").inner_text(), "the counter shows the NIK unmasked"
    expect(card.locator(".waiting-for")).to_contain_text("Menunggu langkah 3")
    expect(card.locator("form.step-form")).to_have_count(0)

    # The phone follows: step 3 of 8, in progress, still anonymous.
    check_public(phone, status="in_progress", step="3/8", secrets=secrets)
    expect(phone.locator("#st-status")).to_have_text("Sedang diproses")
    save(phone, "walkthrough-public-step3")

    # Kasi (step 3): the file arrives by itself; MS.
    card = kasi.card("B001")
    wait_live(kasi, card, "Kasi: B001 in 'Berkas menunggu langkah Anda'", problems)
    expect(kasi.page.locator("#no-files")).to_have_count(0)
    expect(card.locator("p.meta")).to_contain_text(APPLICANT_NAME)
    form = step_form(card, 3)
    form.locator("input[name=decision][value=MS]").check()
    kasi.shot("kasi", 3)
    kasi.submit(form)
    expect(kasi.page.locator("p.flash.ok")).to_contain_text("Langkah 3 selesai untuk B001")
    card = kasi.card("B001")
    expect(card.locator("ol.steps li").nth(2)).to_have_class(re.compile(r"\bst-done\b"))
    expect(card.locator("ol.steps li").nth(2)).to_contain_text("MS")

    # Register (step 4): the agenda number.
    card = register.card("B001")
    wait_live(register, card, "Register: B001 after step 3", problems)
    form = step_form(card, 4)
    expect(form.locator(".hint")).to_contain_text("Nomor agenda")
    register.shot("register", 4)
    register.submit(form)
    expect(register.page.locator("p.flash.ok")).to_contain_text("Langkah 4 selesai untuk B001")
    card = register.card("B001")
    shown = card.locator(".agenda-number b")  # the agenda number stands out once it is given
    expect(shown).to_have_text(AGENDA_RE)
    agenda = AGENDA_RE.search(shown.inner_text()).group(0)
    assert agenda.startswith("474/001/406.07/"), agenda
    register.shot("register", "4-done")
    check_public(phone, status="in_progress", step="5/8", secrets=secrets)

    # Sekcam (step 5).
    card = chief.card("B001")
    wait_live(chief, card, "Sekcam: B001 after step 4", problems)
    expect(card.locator(".agenda-number")).to_contain_text(agenda)
    form = step_form(card, 5)
    chief.shot("sekcam", 5)
    chief.submit(form)
    expect(chief.page.locator("p.flash.ok")).to_contain_text("Langkah 5 selesai untuk B001")
    expect(chief.card("B001").locator(".waiting-for")).to_contain_text("Menunggu langkah 6")

    # Camat (step 6), on the same PC: the Sekcam logs out, the Camat logs in.
    chief.logout()
    chief.login("camat")
    card = chief.card("B001")
    expect(card).to_be_visible()
    form = step_form(card, 6)
    expect(form.locator(".hint")).to_contain_text("Surat Keterangan Ahli Waris")
    chief.shot("camat", 6)
    chief.submit(form)
    expect(chief.page.locator("p.flash.ok")).to_contain_text("Langkah 6 selesai untuk B001")
    check_public(phone, status="in_progress", step="7/8", secrets=secrets)
    save(phone, "walkthrough-public-step7")

    # Front desk (step 7): the document is ready; call the applicant to collect it, hand it over.
    page = front.page
    card = front.card("B001")
    pickup = card.locator("#pickup")
    wait_live(front, pickup, "Front desk: 'Panggil untuk pengambilan' after step 6", problems)
    expect(pickup).to_have_text("Panggil untuk pengambilan")
    front.shot("frontdesk", "7-ready")
    front.press(pickup)
    expect(page.locator("p.flash.ok")).to_contain_text("Memanggil B001 ke Loket 2")
    card = front.card("B001")
    form = step_form(card, 7)
    # the hand-over asks for the code printed on the applicant's ticket
    form.locator("#pickup-code").fill(printed_pickup_code(live_server.tmp / "printed", "B001"))
    front.shot("frontdesk", 7)
    front.submit(form)
    expect(page.locator("p.flash.ok")).to_contain_text("B001 selesai")
    card = front.card("B001")
    expect(card).to_have_attribute("data-status", "done")
    expect(card.locator(".state")).to_have_text("Selesai")
    expect(card.locator(".timer")).to_have_count(0)
    expect(card.locator("form.step-form")).to_have_count(0)
    steps = card.locator("ol.steps li")
    expect(steps).to_have_count(8)
    for i in range(8):
        expect(steps.nth(i)).to_have_class(re.compile(r"\bst-done\b"))
    front.shot("frontdesk", 8)

    # The applicant's page says it is finished, and never who they are.
    check_public(phone, status="done", step=None, secrets=secrets)
    expect(phone.locator("#st-status")).to_have_text("Selesai")
    save(phone, "walkthrough-public-step8")

    assert not problems, "counter pages did not refresh themselves:\n" + "\n".join(problems)


def test_each_screen_refreshes_only_for_what_it_shows(live_server, new_page):
    """Every counter hears every change in the office; a screen asks the server again only for a
    file it shows or one reaching its role, and for its own loket's queue. The others just count."""
    base = live_server.url
    front = Counter(new_page, live_server, "pelayanan2")  # Loket 2: surat keterangan
    adminduk = Counter(new_page, live_server, "pelayanan1")  # Loket 1: adminduk
    kasi = Counter(new_page, live_server, "kasi")  # back office: verifies the file (step 3)
    camat = Counter(new_page, live_server, "camat")  # back office: signs it later (step 6)
    screens = (front, adminduk, kasi, camat)
    team(*screens)
    page = front.page
    loket = page.locator("select#loket")
    if loket.evaluate("el => el.options[el.selectedIndex].text") != "Loket 2":
        with page.expect_navigation():
            loket.select_option(label="Loket 2")
        front.wait_connected()

    asked: dict[str, list[str]] = {c.username: [] for c in screens}
    for c in screens:
        c.page.on("request", lambda r, who=c.username: asked[who].append(r.url.split(base, 1)[-1])
                  if r.url.startswith(base + "/counter") else None)
    loads = {c.username: c.loads for c in screens}

    def count_shows(counter: Counter, n: int) -> None:
        expect(counter.page.locator('.count[data-group="surat_keterangan"] b')).to_have_text(str(n))

    for _ in range(3):
        issue_ticket(base)
    expect(page.locator(".waiting-list li[data-waiting]")).to_have_count(3)  # redrawn, no reload
    for c in screens:
        count_shows(c, 3)
    front.press(page.locator("#call-next"))
    form = step_form(front.card("B001"), 2)
    form.locator("input[name=name]").fill(APPLICANT_NAME)
    form.locator("input[name=nik]").fill(APPLICANT_NIK)
    front.submit(form)
    expect(kasi.card("B001")).to_be_visible(timeout=LIVE_MS)  # the file reached the Kasi's screen
    issue_ticket(base)  # pushed after the step: once the counts show it, every earlier push arrived
    for c in screens:
        count_shows(c, 3)
    page.wait_for_timeout(1_000)  # longer than counter.js waits before it refreshes
    settle(*screens)

    for quiet in (adminduk, camat):
        assert asked[quiet.username] == [], f"{quiet.username}'s screen asked for {asked[quiet.username]}"
        assert quiet.refreshes() == 0
        expect(quiet.page.locator("#no-files" if quiet is camat else ".waiting-list li[data-waiting]")).to_have_count(
            1 if quiet is camat else 0)
    assert kasi.refreshes() >= 1 and "/counter/" in asked["kasi"], asked["kasi"]
    lists = asked[front.username].count("/counter/waiting.json")
    assert 1 <= lists <= 4, asked[front.username]  # 3 tickets in a burst, a call, one more ticket
    expect(page.locator(".waiting-list li[data-waiting]")).to_have_count(3)  # B002, B003, B004
    for c in screens:
        navigations = c.loads - loads[c.username]
        assert navigations == (2 if c is front else 0), f"{c.username}'s screen reloaded {navigations} times"
        # counter.js and the printer banner share one connection: each push arrives once
        assert c.websockets_of_this_page() == 1, f"{c.username}'s screen opened {c.websockets_of_this_page()} connections"


def test_printer_banner_follows_the_printer_through_in_place_refreshes(tmp_path, new_page):
    """The printer-fault banner shows the printer is off, stays through the screen's in-place
    refreshes, and goes away once the printer has printed the waiting ticket."""
    from tests.support.fakes import FakeNetworkPrinter
    from tests.support.live_server import LiveServer, free_port

    port = free_port()
    server = LiveServer(tmp_path, {"ANTREAN_PRINTER": f"tcp://127.0.0.1:{port}?timeout=2",
                                   "ANTREAN_PRINT_RETRY_SECONDS": "0.5"})
    server.create_demo()
    server.start()
    printer = None
    try:
        front = Counter(new_page, server, "pelayanan2")
        other = Counter(new_page, server, "pelayanan2")  # a second screen of the same loket
        team(front, other)
        banner = front.page.locator("#printer-banner")
        expect(banner).to_be_visible(timeout=LIVE_MS)  # the printer is off
        expect(banner).to_contain_text("Connection refused")
        issue_ticket(server.url)  # its print job waits for the printer
        other.press(other.page.locator("#call-next"))  # B001, called from the other screen of the loket
        with front.page.expect_navigation():  # this screen looks it up: its card is now shown here too
            front.page.locator("#search").fill("B001")
            front.page.locator("#search").press("Enter")
        front.wait_connected()
        expect(front.card("B001")).to_be_visible()
        expect(banner).to_be_visible()
        refreshed = front.refreshes()
        front.page.evaluate("""() => {  // counts every moment the banner is hidden or gone
            window.bannerGone = 0;
            new MutationObserver(() => {
                const b = document.getElementById("printer-banner");
                if (!b || b.hidden) window.bannerGone++;
            }).observe(document.body, {subtree: true, childList: true, attributes: true});
        }""")
        other.press(other.card("B001").locator("button", has_text="Panggil ulang"))  # B001 changes
        deadline = time.monotonic() + LIVE_MS / 1000
        while front.refreshes() == refreshed:
            assert time.monotonic() < deadline, "the screen showing B001 did not refresh itself"
            front.page.wait_for_timeout(50)
        expect(front.card("B001").locator(".meta")).to_contain_text("Loket 2")
        assert front.page.evaluate("window.bannerGone") == 0, "the refresh hid the banner"
        expect(banner).to_be_visible()  # carried through the swap, not reset to hidden
        expect(banner).to_contain_text("Connection refused")

        printer = FakeNetworkPrinter(port=port)
        expect(banner).to_be_hidden(timeout=15_000)  # printed: the fault is over
    finally:
        server.stop()
        if printer is not None:
            printer.close()


def test_tms_ticket_is_returned_with_the_missing_documents(live_server, new_page, catalogue):
    base = live_server.url
    problems: list[str] = []
    requirements = list(catalogue.services[SERVICE].requirements)
    missing = requirements[1]  # Surat keterangan kematian pewaris
    note = "Surat kematian dari desa belum dilampirkan"

    front = Counter(new_page, live_server, "pelayanan2")
    kasi = Counter(new_page, live_server, "kasi")
    team(front, kasi)
    ticket = issue_ticket(base)
    phone = new_page(viewport=PHONE_VIEWPORT)
    phone.goto(base + ticket["status_url"])
    expect(phone.locator("#st-number")).to_have_text(ticket["number"])

    page = front.page
    expect(page.locator('.count[data-group="surat_keterangan"] b')).to_have_text("1")
    front.press(page.locator("#call-next"))
    form = step_form(front.card(ticket["number"]), 2)
    form.locator("input[name=name]").fill(APPLICANT_NAME)
    form.locator("input[name=nik]").fill(APPLICANT_NIK)
    front.submit(form)
    expect(page.locator("p.flash.ok")).to_contain_text("Langkah 2 selesai")

    card = kasi.card(ticket["number"])
    wait_live(kasi, card, "Kasi: the file after step 2", problems)
    form = step_form(card, 3)
    boxes = form.locator("fieldset.missing input[name=missing]")
    expect(boxes).to_have_count(len(requirements))
    assert [boxes.nth(i).get_attribute("value") for i in range(len(requirements))] == requirements
    form.locator(f'input[name=missing][value="{missing}"]').check()
    form.locator("input[name=note]").fill(note)
    form.locator("input[name=decision][value=TMS]").check()
    expect(form.locator(f'input[name=missing][value="{missing}"]')).to_be_checked()
    expect(form.locator("input[name=note]")).to_have_value(note)
    kasi.shot("kasi", 3, prefix="tms")
    kasi.submit(form)
    expect(kasi.page.locator("p.flash.ok")).to_contain_text("dikembalikan (TMS)")
    card = kasi.card(ticket["number"])
    expect(card).to_have_attribute("data-status", "returned")
    expect(card.locator(".state")).to_have_text("Dikembalikan (TMS)")
    tms = card.locator("p.tms")
    expect(tms).to_contain_text("TMS:")
    expect(tms).to_contain_text(missing)
    expect(tms).to_contain_text(note)
    for other in requirements:
        if other != missing:
            assert other not in tms.inner_text(), f"{other!r} was not ticked but is listed as missing"
    expect(card.locator("ol.steps li").nth(2)).to_contain_text("TMS")
    kasi.shot("kasi", "3-returned", prefix="tms")

    # The applicant learns the file came back; the status page is live, no reload.
    expect(phone.locator("#st-status")).to_have_attribute("data-status", "returned")
    expect(phone.locator("#st-status")).to_have_text("Dikembalikan: berkas belum lengkap")
    text = phone.locator("body").inner_text()
    for secret in secrets_of(APPLICANT_NAME, APPLICANT_NIK):
        assert secret not in text and secret not in phone.content()
    save(phone, "tms-public-returned")

    # The front desk's card says so too (it follows the push).
    card = front.card(ticket["number"])
    returned = card.locator(".state", has_text="Dikembalikan (TMS)")
    wait_live(front, returned, "Front desk: the returned state", problems)
    expect(card.locator("p.tms")).to_contain_text(missing)
    front.shot("frontdesk", "3-returned", prefix="tms")

    assert not problems, "counter pages did not refresh themselves:\n" + "\n".join(problems)


TIMER = re.compile(r"^(\d+):(\d{2})(?: / (\d+):(\d{2}))?$")


def read_timer(timer) -> tuple[int, int | None]:
    """(elapsed seconds, standard seconds or None) from a timer's "m:ss / m:ss" text."""
    text = timer.inner_text().strip()
    m = TIMER.match(text)
    assert m, f"the timer shows {text!r}, not m:ss / m:ss"
    standard = None if m.group(3) is None else int(m.group(3)) * 60 + int(m.group(4))
    return int(m.group(1)) * 60 + int(m.group(2)), standard


def assert_timer_runs(page, timer, standard_seconds: int | None) -> None:
    """The timer counts up from zero (it moves within 1.5 s), is green ("ok"), and runs
    against ``standard_seconds`` (None: a step with no Mutu Baku shows no standard)."""
    expect(timer).to_have_text(TIMER)
    first, standard = read_timer(timer)
    assert standard == standard_seconds, (
        f"the timer shows {timer.inner_text()!r}: its standard is {standard} s, expected {standard_seconds} s")
    assert first < 30, f"a step started seconds ago shows {timer.inner_text()!r}"
    expect(timer).to_have_attribute("data-state", "ok")
    page.wait_for_timeout(1_500)
    second, _ = read_timer(timer)
    assert second > first, f"the timer did not move in 1.5 s: {first} s, then {second} s"
    expect(timer).to_have_attribute("data-state", "ok")
    expect(timer).to_have_class(re.compile(r"\btimer-ok\b"))


def test_step_timer_runs_against_the_mutu_baku(live_server, new_page):
    base = live_server.url
    ticket = issue_ticket(base)
    front = Counter(new_page, live_server, "pelayanan2")
    page = front.page
    front.press(page.locator("#call-next"))
    card = front.card(ticket["number"])
    expect(card).to_have_attribute("data-status", "called")

    # Called: the clock runs while the applicant walks to the loket.
    timer = card.locator(".timer")
    expect(timer).to_have_count(1)
    expect(timer).to_have_text(TIMER)
    first, _ = read_timer(timer)
    expect(timer).to_have_attribute("data-state", "ok")
    page.wait_for_timeout(1_500)
    second, _ = read_timer(timer)
    assert second > first, f"the timer did not move in 1.5 s: {first} s, then {second} s"
    expect(timer).to_have_attribute("data-state", "ok")
    save(page, "timer-frontdesk-called")

    # Step 2 done: the file waits for the Kasi's verification (Mutu Baku 5 minutes), timed from now.
    form = step_form(card, 2)
    form.locator("input[name=name]").fill("Warga Uji")
    form.locator("input[name=nik]").fill("3503124507540001")
    front.press(form.locator("button[type=submit]"))
    card = front.card(ticket["number"])
    expect(card).to_have_attribute("data-status", "in_progress")
    assert_timer_runs(page, card.locator(".timer"), standard_seconds=300)
    save(page, "timer-frontdesk-step3")


def test_called_ticket_timer_runs_against_the_receiving_standard(live_server, new_page):
    ticket = issue_ticket(live_server.url)
    front = Counter(new_page, live_server, "pelayanan2")
    front.press(front.page.locator("#call-next"))
    card = front.card(ticket["number"])
    expect(card).to_have_attribute("data-status", "called")
    step_form(card, 2)
    assert_timer_runs(front.page, card.locator(".timer"), standard_seconds=120)

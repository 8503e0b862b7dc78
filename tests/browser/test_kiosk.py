"""The kiosk in Debian's Chromium against `antrean serve`: the whole flow on a portrait touch
screen, a double tap and a stuck button, a closed service, the English toggle, a printer that is
down, the idle reset, and the ticket followed on a phone. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from tests.support.browser import CONFIRM_GUARD_MS, take_ticket
from tests.support.clients import Staff
from tests.support.live_server import LiveServer, free_port
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def api(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"{}")


def count_tickets(base: str) -> int:
    n = 0
    while api(f"{base}/api/v1/tickets/{n + 1}")[0] == 200:
        n += 1
    return n


def image_loaded(page, selector: str) -> None:
    page.wait_for_function(
        "(sel) => { const i = document.querySelector(sel); return !!i && !!i.getAttribute('src')"
        " && i.complete && i.naturalWidth > 0; }", arg=selector)


def luminance(css: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(page, selector: str, background_of: str | None = None) -> float:
    fg, bg = page.evaluate(
        "([sel, bgsel]) => [getComputedStyle(document.querySelector(sel)).color,"
        " getComputedStyle(document.querySelector(bgsel || sel)).backgroundColor]", [selector, background_of])
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def small_targets(page) -> list:
    """Visible touch targets smaller than 64 x 64 CSS pixels."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('#kiosk button, nav.lang a'))
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
                    return [e.className + ':' + e.textContent.trim().slice(0, 30), r.width, r.height]; })
        .filter(([, w, h]) => w < 64 || h < 64)""")


def test_the_kiosk_flow_end_to_end_and_the_phone_follows(live_server, new_page, shot):
    base = live_server.url
    kiosk = new_page(viewport=PORTRAIT, has_touch=True)
    kiosk.goto(f"{base}/kiosk/?result=3")
    expect(kiosk.locator("#step-services h1")).to_have_text("Silakan pilih layanan")
    expect(kiosk.locator("button.group")).to_have_count(4)
    assert small_targets(kiosk) == []
    assert contrast(kiosk, "#step-services h1", "body") >= 7
    assert contrast(kiosk, "button.group .name", "button.group") >= 7
    shot(kiosk, "1-start")

    kiosk.tap('button.group[data-group="adminduk"]')
    services = kiosk.locator('.group-services[data-group="adminduk"] button.service')
    expect(services).to_have_count(8)
    expect(kiosk.locator("#groups")).to_be_hidden()
    ktp = kiosk.locator('button.service[data-service="ktp"]')
    expect(ktp).to_contain_text("Bawa:")
    expect(ktp).to_contain_text("Standar waktu 15 menit")
    assert small_targets(kiosk) == []
    kiosk.tap('button.priority-choice[data-reason="lansia"]')
    expect(kiosk.locator('button.priority-choice[data-reason="lansia"]')).to_have_attribute("aria-pressed", "true")
    shot(kiosk, "2-services-priority")

    ktp.tap()
    # The confirmation step: the service, the priority and the documents to bring.
    expect(kiosk.locator("#confirm-service")).to_have_text("Rekomendasi Kartu Tanda Penduduk (KTP)")
    expect(kiosk.locator("#confirm-priority")).to_have_text("Lansia")
    expect(kiosk.locator("#confirm-docs li").first).to_have_text("Kartu Keluarga (KK)")
    assert small_targets(kiosk) == []
    shot(kiosk, "2b-confirm")
    kiosk.wait_for_timeout(CONFIRM_GUARD_MS)
    started = time.monotonic()
    kiosk.tap("#confirm-take")
    expect(kiosk.locator("#result-number")).to_have_text("A001")
    shown = time.monotonic() - started
    expect(kiosk.locator("#result-service")).to_have_text("Rekomendasi Kartu Tanda Penduduk (KTP)")
    expect(kiosk.locator("#result-priority")).to_have_text("Lansia")
    image_loaded(kiosk, "#result-qr")
    image_loaded(kiosk, "#result-preview")
    expect(kiosk.locator("#print-state")).to_have_attribute("data-state", "printed")
    expect(kiosk.locator("#print-state")).to_have_text("Silakan ambil tiket Anda.")
    print(f"\ntap to number on screen: {shown * 1000:.0f} ms")
    shot(kiosk, "3-ticket")
    # A few seconds later the kiosk is back at the start, priority cleared.
    expect(kiosk.locator("#step-services")).to_be_visible(timeout=8000)
    expect(kiosk.locator("#groups")).to_be_visible()
    expect(kiosk.locator('button.priority-choice[aria-pressed="true"]')).to_have_count(0)

    status, ticket = api(f"{base}/api/v1/tickets/1")
    assert status == 200 and ticket["priority"] and ticket["service"] == "ktp"
    assert "status_url" not in ticket  # a sequential id never leads to the status page
    public_id = kiosk.locator("#result-qr").get_attribute("src").split("/")[-1].removesuffix(".svg")
    status, ticket = api(f"{base}/api/v1/tickets/{public_id}")
    assert status == 200 and ticket["number"] == "A001"

    # The QR code's page on a phone, live.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{base}{ticket['status_url']}")
    expect(phone.locator("#st-number")).to_have_text("A001")
    expect(phone.locator("#st-live")).to_have_attribute("data-state", "online")
    expect(phone.locator("#st-status")).to_have_text("Menunggu dipanggil")
    shot(phone, "4-phone-waiting")
    clerk = Staff(live_server, "pelayanan1")
    clerk.post("/counter/call-next")
    expect(phone.locator("#st-banner")).to_have_text("Nomor Anda dipanggil: silakan menuju Loket 1.", timeout=3000)
    expect(phone.locator("#st-loket")).to_have_text("Loket 1")
    body = phone.locator("body").text_content()
    assert "Loket 1" in body and "NIK" not in body
    shot(phone, "5-phone-called")


def test_a_double_tap_and_a_stuck_button_issue_one_ticket_each(live_server, new_page, shot):
    base = live_server.url
    kiosk = new_page(viewport=LANDSCAPE)
    posts: list[str] = []
    kiosk.on("request", lambda r: posts.append(r.post_data or "")
             if r.method == "POST" and r.url.endswith("/api/v1/tickets") else None)
    kiosk.goto(f"{base}/kiosk/?result=2")
    kiosk.click('button.group[data-group="surat_keterangan"]')
    kiosk.dblclick('button.service[data-service="ahli_waris"]')
    expect(kiosk.locator("#step-confirm")).to_be_visible()  # the second tap of the pair took nothing
    kiosk.wait_for_timeout(500)
    assert count_tickets(base) == 0 and posts == []
    kiosk.wait_for_timeout(CONFIRM_GUARD_MS)
    kiosk.dblclick("#confirm-take")
    expect(kiosk.locator("#result-number")).to_have_text("B001")
    kiosk.wait_for_timeout(500)
    assert count_tickets(base) == 1 and len(posts) == 1
    shot(kiosk, "double-tap")

    # A stuck button: twenty clicks and touches in a burst, as fast as the page can take them.
    expect(kiosk.locator("#groups")).to_be_visible(timeout=6000)
    kiosk.click('button.group[data-group="surat_keterangan"]')
    kiosk.wait_for_timeout(900)  # past the guard after returning to the start
    kiosk.evaluate("""() => { const b = document.querySelector('button.service[data-service="sktm"]');
        for (let i = 0; i < 20; i++) { b.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true})); b.click(); } }""")
    expect(kiosk.locator("#confirm-service")).to_have_text("Rekomendasi Surat Keterangan Tidak Mampu (SKTM)")
    kiosk.wait_for_timeout(CONFIRM_GUARD_MS)
    kiosk.evaluate("""() => { const b = document.getElementById('confirm-take');
        for (let i = 0; i < 20; i++) { b.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true})); b.click(); } }""")
    expect(kiosk.locator("#result-number")).to_have_text("B002")
    kiosk.wait_for_timeout(500)
    assert count_tickets(base) == 2 and len(posts) == 2
    ids = {json.loads(p)["request_id"] for p in posts}
    assert len(ids) == 2  # one request id per tap
    shot(kiosk, "stuck-button")


def test_a_closed_service_says_so_instead_of_issuing(live_server, new_page, shot):
    base = live_server.url
    kiosk = new_page(viewport=PORTRAIT)
    kiosk.goto(f"{base}/kiosk/")  # loaded before staff close e-KTP
    kiosk.click('button.group[data-group="adminduk"]')
    staff = Staff(live_server, "kasi")
    resp = staff.http.post(f"{base}/counter/availability/close", data={"csrf_token": staff.token, "service": "ektp"},
                           allow_redirects=False)
    assert resp.status_code == 302
    # The page still offers it: a tap is refused by the server and the kiosk says why, back on the list.
    kiosk.click('button.service[data-service="ektp"]')
    take_ticket(kiosk)
    expect(kiosk.locator("#kiosk-error")).to_have_text("Layanan ditutup hari ini")
    expect(kiosk.locator("#step-confirm")).to_be_hidden()
    ektp = kiosk.locator('button.service[data-service="ektp"]')
    expect(ektp).to_be_disabled()
    expect(ektp.locator(".closed-reason")).to_have_text("Layanan ditutup hari ini")
    assert count_tickets(base) == 0
    shot(kiosk, "closed-refused")
    # A fresh page shows it greyed from the start; the other services still issue.
    kiosk.goto(f"{base}/kiosk/")
    kiosk.click('button.group[data-group="adminduk"]')
    expect(kiosk.locator('button.service[data-service="ektp"]')).to_be_disabled()
    expect(kiosk.locator('button.service[data-service="ektp"]')).to_have_class(re.compile(r"\bclosed\b"))
    shot(kiosk, "closed-greyed")
    kiosk.click('button.service[data-service="kk"]')
    take_ticket(kiosk)
    expect(kiosk.locator("#result-number")).to_have_text("A001")


def test_the_english_toggle_and_back_to_indonesian(live_server, new_page, shot):
    base = live_server.url
    kiosk = new_page(viewport=LANDSCAPE)
    kiosk.goto(f"{base}/kiosk/?result=2")
    kiosk.click('nav.lang a[data-lang="en"]')
    expect(kiosk.locator("#step-services h1")).to_have_text("Please choose a service")
    expect(kiosk.locator('button.group[data-group="adminduk"] .name')).to_have_text("Civil Registration")
    expect(kiosk.locator('button.priority-choice[data-reason="lansia"]')).to_have_text("Elderly")
    shot(kiosk, "en-start")
    kiosk.click('button.group[data-group="perizinan"]')
    # 2 + 3 + 10 minutes of the office, and 1 for the hand-over of the NIB (#15 item 2)
    expect(kiosk.locator('button.service[data-service="oss"] .meta')).to_have_text("Standard time 16 minutes")
    kiosk.click('button.service[data-service="oss"]')
    expect(kiosk.locator("#confirm-title")).to_have_text("Check your choice")
    expect(kiosk.locator("#confirm-take")).to_have_text("Take ticket")
    take_ticket(kiosk)
    expect(kiosk.locator("#step-result h1")).to_have_text("Your queue number")
    expect(kiosk.locator("#result-number")).to_have_text("C001")
    expect(kiosk.locator("#print-state")).to_have_text("Please take your ticket.")
    image_loaded(kiosk, "#result-qr")
    image_loaded(kiosk, "#result-preview")
    shot(kiosk, "en-ticket")
    status, ticket = api(f"{base}/api/v1/tickets/1")
    assert ticket["service"] == "oss"
    # The next citizen starts in Indonesian again.
    expect(kiosk.locator("#step-services h1")).to_have_text("Silakan pilih layanan", timeout=8000)
    assert "lang=id" in kiosk.url and "result=2" in kiosk.url
    shot(kiosk, "back-to-id")


def test_an_idle_page_resets_itself(live_server, new_page):
    kiosk = new_page(viewport=PORTRAIT)
    kiosk.goto(f"{live_server.url}/kiosk/?idle=2")
    kiosk.click('button.group[data-group="pengaduan"]')
    kiosk.click('button.priority-choice[data-reason="disabilitas"]')
    expect(kiosk.locator("#groups")).to_be_hidden()
    expect(kiosk.locator("#groups")).to_be_visible(timeout=5000)
    expect(kiosk.locator('button.priority-choice[aria-pressed="true"]')).to_have_count(0)
    assert count_tickets(live_server.url) == 0


def test_with_the_printer_down_the_ticket_stays_on_screen(tmp_path, new_page, shot):
    server = LiveServer(tmp_path, {"ANTREAN_PRINTER": f"tcp://127.0.0.1:{free_port()}?timeout=1",
                                   "ANTREAN_PRINT_RETRY_SECONDS": "1"})
    server.create_demo()
    server.start()
    try:
        kiosk = new_page(viewport=PORTRAIT)
        kiosk.goto(f"{server.url}/kiosk/")
        kiosk.click('button.group[data-group="adminduk"]')
        kiosk.click('button.service[data-service="akta_lahir"]')
        take_ticket(kiosk)
        expect(kiosk.locator("#result-number")).to_have_text("A001")
        expect(kiosk.locator("#print-state")).to_have_attribute("data-state", "fault", timeout=10000)
        expect(kiosk.locator("#print-state")).to_contain_text("Nomor Anda tetap berlaku")
        image_loaded(kiosk, "#result-qr")
        image_loaded(kiosk, "#result-preview")
        left = int(re.search(r"\d+", kiosk.locator("#result-countdown").text_content()).group())
        assert left > 20  # kept on screen longer: time to scan the QR code or take a photo
        shot(kiosk, "printer-down")
    finally:
        server.stop()

"""Booking on a phone, then check-in at the kiosk by typing the code on the on-screen keyboard and by
"scanning" it (a USB scanner types the code and Enter), in Debian's Chromium against `antrean serve`;
each check-in prints a ticket. The office's hours in this test start a few minutes from now, every day,
so today's first session can be booked whatever the hour (the real clock of the server)."""
from __future__ import annotations

import re

import pytest

from tests.support.live_server import LiveServer, bookable_today_catalogue
from tests.support.needs_playwright import expect
from tests.support.printed import visible_lines

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PORTRAIT = {"width": 1080, "height": 1920}


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path, {"ANTREAN_CATALOGUE": str(bookable_today_catalogue(tmp_path))})
    live.create_demo()
    live.start()
    yield live
    live.stop()


def book_on_phone(page, base: str) -> str:
    page.goto(f"{base}/booking/")
    page.select_option("#service", "ktp")
    page.tap("form.booking-step button")
    expect(page.locator("#h-docs")).to_have_text("Dokumen yang perlu dibawa")
    page.locator("form.booking-slots input[name=slot]").first.check()
    page.fill("#name", "Siti Aminah")
    page.tap("form.booking-slots button.primary")
    code = page.locator(".booking-code").get_attribute("data-code")
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    expect(page.locator(".booking-status")).to_have_text("Terdaftar")
    assert "Siti" not in page.content()  # the optional name never on a public page
    page.wait_for_function("() => document.querySelector('.booking-qr').naturalWidth > 0")
    return code


def printed_numbers(folder) -> list[str]:
    return sorted(p.name.split("-")[0] for p in folder.glob("*") if p.is_file())


def test_book_on_a_phone_then_check_in_at_the_kiosk_by_keyboard_and_by_scanner(server, new_page, shot):
    base = server.url
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    first = book_on_phone(phone, base)
    shot(phone, "1-booked")
    second = book_on_phone(phone, base)

    kiosk = new_page(viewport=PORTRAIT, has_touch=True)
    kiosk.goto(f"{base}/kiosk/")
    kiosk.tap("#booking-open")
    expect(kiosk.locator("#step-booking")).to_be_visible()
    for ch in first:
        kiosk.tap(f'#booking-keys button[data-key="{ch}"]')
    expect(kiosk.locator("#booking-code")).to_have_text(f"{first[:4]}-{first[4:]}")
    shot(kiosk, "2-code-typed")
    kiosk.tap("#booking-submit")
    expect(kiosk.locator("#result-number")).to_have_text("A001")
    expect(kiosk.locator("#print-state")).to_have_attribute("data-state", "printed")
    shot(kiosk, "3-ticket")

    kiosk.tap("#result-done")
    expect(kiosk.locator("#step-services")).to_be_visible()
    kiosk.keyboard.type(second.lower() + "\n")  # the scanner, on the start page
    expect(kiosk.locator("#result-number")).to_have_text("A002")
    expect(kiosk.locator("#print-state")).to_have_attribute("data-state", "printed")

    folder = server.tmp / "printed"
    assert printed_numbers(folder) == ["A001", "A002"]
    text = "\n".join(visible_lines(next(folder.glob("A001-*")).read_bytes()))
    assert "A001" in text

    kiosk.tap("#result-done")
    kiosk.keyboard.type("ABCDEFGH\n")  # a code nobody holds
    expect(kiosk.locator("#kiosk-error")).to_have_text("Kode booking tidak ditemukan. Periksa kembali kodenya.")
    phone.goto(f"{base}/booking/{first}")
    expect(phone.locator(".booking-status")).to_have_text("Sudah check-in")

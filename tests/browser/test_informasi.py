"""The public information site on a phone (390x844) and the kiosk's Info view, in Debian's Chromium
against `antrean serve`: no login, nothing wider than the phone, 48 px targets, the six components of a
service's standard, the language switch; on the kiosk, "Info" in the confirmation step unfolds the
service's standard without taking a ticket. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest

from tests.support.browser import CONFIRM_GUARD_MS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SIX = ["Persyaratan", "Sistem, mekanisme dan prosedur", "Jangka waktu penyelesaian", "Biaya/tarif",
       "Produk pelayanan", "Penanganan pengaduan, saran dan masukan"]


def small_targets(page, selector: str) -> list[str]:
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => e.offsetParent !== null)
        .filter(e => { const r = e.getBoundingClientRect(); return r.height < 48 || r.width < 48; })
        .map(e => e.textContent.trim())""", selector)


def test_the_information_site_on_a_phone(live_server, new_page, shot):
    phone = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    phone.goto(f"{live_server.url}/informasi/")
    assert phone.locator("h1").inner_text() == "Informasi Pelayanan"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert not small_targets(phone, ".info-list a, .info-lang a, a.button")
    assert phone.locator(".info-hours tr").count() == 7
    assert phone.locator('a[href="https://www.lapor.go.id"]').is_visible()
    shot(phone, "1-list")

    phone.tap('a[data-service="sktm"]')
    phone.wait_for_url("**/informasi/layanan/sktm")
    assert phone.locator(".component dt").all_inner_texts() == [f"{i}. {n}" for i, n in enumerate(SIX, 1)]
    assert "Belum ditetapkan" in phone.locator("#adoption").inner_text()
    assert "Tidak dipungut biaya" in phone.locator('[data-component="biaya"] dd').inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "2-service")

    phone.tap('.info-lang a[lang="en"]')
    phone.wait_for_url("**lang=en")
    assert phone.locator(".component dt").first.inner_text() == "1. Requirements"
    phone.goto(f"{live_server.url}/informasi/maklumat?lang=id")
    assert "sanggup menyelenggarakan pelayanan" in phone.locator(".maklumat-text").inner_text()
    shot(phone, "3-maklumat")


def test_the_kiosk_info_view_shows_the_standard_without_taking_a_ticket(live_server, new_page, shot):
    kiosk = new_page(viewport={"width": 1080, "height": 1920}, has_touch=True)
    kiosk.goto(f"{live_server.url}/kiosk/")
    kiosk.tap('button.group[data-group="surat_keterangan"]')
    kiosk.tap('button.service[data-service="sktm"]')
    kiosk.locator("#step-confirm").wait_for(state="visible")
    kiosk.wait_for_timeout(CONFIRM_GUARD_MS)
    assert not kiosk.locator("#confirm-standard").is_visible()
    info = kiosk.locator("#confirm-info")
    box = info.bounding_box()
    assert box["height"] >= 64
    info.tap()
    panel = kiosk.locator("#confirm-standard")
    panel.wait_for(state="visible")
    assert kiosk.locator("#standard-components dt").all_inner_texts() == SIX
    assert "Tidak dipungut biaya" in panel.inner_text() and "/informasi/layanan/sktm" in panel.inner_text()
    assert kiosk.locator("#standard-draft").is_visible()  # nothing adopted yet: said so
    assert float(kiosk.evaluate("parseFloat(getComputedStyle(document.querySelector('#standard-components dd')).fontSize)")) >= 18
    shot(kiosk, "info")
    info.tap()  # folds again
    assert not panel.is_visible()
    kiosk.tap("#confirm-back")
    assert kiosk.locator("#step-result").is_hidden()  # looking at the standard took no ticket

"""A kiosk for everyone, and a phone that alerts, in Debian's Chromium against `antrean serve`:
a 1366x768 landscape kiosk shows every group without scrolling and lists of several rows; a
1080x1920 portrait kiosk fills its height with text of 22 px or more; the confirmation step (one
wrong tap prints nothing, "Kembali" goes back, the idle timeout resets it, the administrator turns
it off); the survey's idle reset, language switch and 48 px targets; the phone's alert when the
number is called (banner, vibration, a Web Audio beep) with times in the office's zone.
Screenshots go to test-artifacts/."""
from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import CONFIRM_GUARD_MS, take_ticket
from tests.support.clients import Staff
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser

LANDSCAPE_SMALL = {"width": 1366, "height": 768}
PORTRAIT = {"width": 1080, "height": 1920}
PHONE = {"width": 390, "height": 844}


def tickets_issued(base: str) -> int:
    with urllib.request.urlopen(f"{base}/api/v1/services", timeout=10) as resp:
        return sum(s["availability"]["issued"] for s in json.loads(resp.read())["services"])


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect();
                    return {name: e.dataset.group || e.dataset.service || e.id, top: r.top, bottom: r.bottom,
                            left: r.left, right: r.right, height: r.height, width: r.width}; })""", selector)


def font_sizes(page, selector: str) -> dict[str, float]:
    """The computed font size of every visible element matching ``selector`` (by its text)."""
    return dict(page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => e.offsetParent !== null && e.textContent.trim())
        .map(e => [e.className + ': ' + e.textContent.trim().slice(0, 40),
                   parseFloat(getComputedStyle(e).fontSize)])""", selector))


def test_a_1366x768_landscape_kiosk_shows_every_group_and_several_rows(live_server, new_page, shot):
    kiosk = new_page(viewport=LANDSCAPE_SMALL, has_touch=True)
    kiosk.goto(f"{live_server.url}/kiosk/")
    groups = boxes(kiosk, "button.group")
    assert [g["name"] for g in groups] == ["adminduk", "surat_keterangan", "perizinan", "pengaduan"]
    for g in groups:  # every group whole on the screen, nothing below the fold
        assert 0 <= g["top"] and g["bottom"] <= 768 and 0 <= g["left"] and g["right"] <= 1366, g
        assert g["height"] >= 64 and g["width"] >= 64
    assert kiosk.evaluate("document.documentElement.scrollHeight") <= 768  # no scrolling at all
    shot(kiosk, "1-groups")

    # The largest group: its lists show more than one row, the whole list on the screen.
    kiosk.tap('button.group[data-group="surat_keterangan"]')
    services = boxes(kiosk, 'button.service')
    assert len(services) == 12
    rows = sorted({round(s["top"]) for s in services})
    assert len(rows) >= 3, rows
    assert all(s["bottom"] <= 768 for s in services), [s for s in services if s["bottom"] > 768]
    assert all(s["height"] >= 64 for s in services)
    shot(kiosk, "2-services")
    kiosk.tap('button.service[data-service="ahli_waris"]')
    expect(kiosk.locator("#confirm-docs li")).to_have_count(5)
    for b in boxes(kiosk, "#confirm-back, #confirm-take"):
        assert b["bottom"] <= 768 and b["height"] >= 64, b
    shot(kiosk, "3-confirm")


def test_a_portrait_kiosk_fills_its_height_with_large_text(live_server, new_page, shot):
    kiosk = new_page(viewport=PORTRAIT, has_touch=True)
    kiosk.goto(f"{live_server.url}/kiosk/")
    groups = boxes(kiosk, "button.group")
    assert groups[-1]["bottom"] > 1920 * 0.6  # the groups use the screen, not its top half only
    assert groups[-1]["bottom"] <= 1920
    small = {k: v for k, v in font_sizes(kiosk, "button.group span, .step-hint, .priority p").items() if v < 22}
    assert small == {}
    shot(kiosk, "1-groups")

    kiosk.tap('button.group[data-group="adminduk"]')
    sizes = font_sizes(kiosk, "button.service span, button.service b")
    assert len(sizes) >= 16
    small = {k: v for k, v in sizes.items() if v < 22}
    assert small == {}, small  # the documents to bring were 16.8 px
    services = boxes(kiosk, "button.service")
    assert services[-1]["bottom"] > 1920 * 0.75 and services[-1]["bottom"] <= 1920  # eight services, no scroll
    shot(kiosk, "2-services")

    kiosk.tap('button.service[data-service="akta_lahir"]')
    expect(kiosk.locator("#step-confirm")).to_be_visible()
    small = {k: v for k, v in font_sizes(kiosk, "#step-confirm li, #step-confirm h2, #confirm-meta").items() if v < 22}
    assert small == {}
    shot(kiosk, "3-confirm")


def test_one_wrong_tap_prints_nothing_kembali_goes_back_and_ambil_tiket_issues(live_server, new_page, shot):
    base = live_server.url
    kiosk = new_page(viewport=PORTRAIT, has_touch=True)
    posts: list[str] = []
    kiosk.on("request", lambda r: posts.append(r.post_data or "")
             if r.method == "POST" and r.url.endswith("/api/v1/tickets") else None)
    kiosk.goto(f"{base}/kiosk/?result=2")
    kiosk.tap('button.priority-choice[data-reason="ibu_hamil_menyusui"]')
    kiosk.tap('button.group[data-group="adminduk"]')
    kiosk.tap('button.service[data-service="pindah"]')  # the wrong one
    expect(kiosk.locator("#confirm-service")).to_have_text("Rekomendasi Administrasi Penduduk Pindah")
    expect(kiosk.locator("#confirm-priority")).to_be_visible()
    expect(kiosk.locator("#confirm-docs li")).to_have_count(3)
    expect(kiosk.locator("#confirm-meta")).to_contain_text("Standar waktu")
    shot(kiosk, "1-confirm")
    kiosk.wait_for_timeout(CONFIRM_GUARD_MS)
    kiosk.tap("#confirm-back")
    # Back on the same list, the priority kept, nothing issued.
    expect(kiosk.locator('.group-services[data-group="adminduk"]')).to_be_visible()
    expect(kiosk.locator("#step-confirm")).to_be_hidden()
    expect(kiosk.locator('button.priority-choice[data-reason="ibu_hamil_menyusui"]')).to_have_attribute(
        "aria-pressed", "true")
    kiosk.wait_for_timeout(300)
    assert posts == [] and tickets_issued(base) == 0
    shot(kiosk, "2-back")

    kiosk.tap('button.service[data-service="kia"]')  # the right one
    take_ticket(kiosk, tap=True)
    expect(kiosk.locator("#result-number")).to_have_text("A001")
    expect(kiosk.locator("#result-service")).to_have_text("Rekomendasi Kartu Identitas Anak (KIA)")
    assert len(posts) == 1 and json.loads(posts[0])["service"] == "kia"
    assert json.loads(posts[0])["priority_reason"] == "ibu_hamil_menyusui"
    shot(kiosk, "3-ticket")


def test_an_untouched_confirmation_resets_and_the_admin_can_turn_it_off(live_server, new_page, shot):
    base = live_server.url
    kiosk = new_page(viewport=LANDSCAPE_SMALL)
    kiosk.goto(f"{base}/kiosk/?idle=2&refresh=2&result=2")
    kiosk.click('button.group[data-group="pengaduan"]')
    kiosk.click('button.service[data-service="pengaduan"]')
    expect(kiosk.locator("#step-confirm")).to_be_visible()
    expect(kiosk.locator("#groups")).to_be_visible(timeout=6000)  # back to the start by itself
    expect(kiosk.locator("#step-confirm")).to_be_hidden()
    assert tickets_issued(base) == 0

    admin = Staff(live_server, "admin")
    resp = admin.http.post(f"{base}/counter/availability/settings", data={"csrf_token": admin.token, "confirm": "0"},
                           allow_redirects=False)
    assert resp.status_code == 302
    kiosk.wait_for_timeout(2500)  # the kiosk asks for availability and settings every 2 s here
    kiosk.click('button.group[data-group="pengaduan"]')
    kiosk.click('button.service[data-service="pengaduan"]')
    expect(kiosk.locator("#result-number")).to_have_text("D001")  # straight to the ticket
    shot(kiosk, "no-confirmation")


def test_the_survey_resets_when_idle_switches_language_and_has_large_targets(live_server, new_page, shot):
    base = live_server.url
    tablet = new_page(viewport={"width": 800, "height": 1280}, has_touch=True)
    tablet.goto(f"{base}/kiosk/survei/?idle=3")
    targets = boxes(tablet, ".survey-lang a, .survey input, .survey button")
    assert len(targets) >= 5
    assert [t for t in targets if t["height"] < 48 or t["width"] < 48] == []
    tablet.tap('.survey-lang a[data-lang="en"]')
    expect(tablet.locator("h1")).to_have_text("Public Satisfaction Survey")
    assert "idle=3" in tablet.url and "lang=en" in tablet.url
    tablet.fill('input[name="number"]', "A001")
    shot(tablet, "1-english-typed")
    # Untouched: a notice, then back to the start in Indonesian with the typed number gone.
    expect(tablet.locator("#survey-idle")).to_be_visible(timeout=4000)
    expect(tablet.locator("h1")).to_have_text("Survei Kepuasan Masyarakat", timeout=6000)
    expect(tablet.locator('input[name="number"]')).to_have_value("")
    assert "lang=id" in tablet.url and "idle=3" in tablet.url
    shot(tablet, "2-reset")


def test_a_finished_tickets_status_page_leads_to_the_survey(live_server, new_page, shot):
    base = live_server.url
    resp = urllib.request.urlopen(urllib.request.Request(
        f"{base}/api/v1/tickets", data=json.dumps({"service": "legalisasi"}).encode(),
        headers={"Content-Type": "application/json"}), timeout=10)
    ticket = json.loads(resp.read())
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{base}{ticket['status_url']}")
    expect(phone.locator("#st-live")).to_have_attribute("data-state", "online")
    expect(phone.locator("#st-survey")).to_be_hidden()  # not before the service is done
    # The ticket is finished (the walk through its steps is the counter's tests' business).
    with sqlite3.connect(live_server.tmp / "antrean.db") as db:
        db.execute("UPDATE tickets SET status = 'done' WHERE id = ?", (ticket["id"],))
    phone.reload()
    survey_link = phone.locator("#st-survey")
    expect(survey_link).to_be_visible()
    expect(survey_link).to_have_text("Isi survei kepuasan (1 menit)")
    shot(phone, "1-done")
    survey_link.tap()
    expect(phone.locator("fieldset.question")).to_have_count(9)
    targets = boxes(phone, ".survey label.choice, .survey-lang a, #survey-submit, .survey textarea, .survey select")
    assert len(targets) >= 34  # with the profile's four optional lists
    assert [t for t in targets if t["height"] < 48 or t["width"] < 48] == []
    phone.locator("label.choice").first.tap()
    shot(phone, "2-survey")


ALERT_RECORDER = """
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
window.__tones = [];
const RealAudioContext = window.AudioContext;
window.AudioContext = class extends RealAudioContext {
  createOscillator() {
    const osc = super.createOscillator();
    const start = osc.start.bind(osc);
    osc.start = (when) => { window.__tones.push(osc.frequency.value); return start(when); };
    return osc;
  }
};
"""


def test_the_phone_alerts_when_the_number_is_called(live_server, new_page, shot):
    base = live_server.url
    resp = urllib.request.urlopen(urllib.request.Request(
        f"{base}/api/v1/tickets", data=json.dumps({"service": "ahli_waris"}).encode(),
        headers={"Content-Type": "application/json"}), timeout=10)
    ticket = json.loads(resp.read())
    # A phone set to another zone: the page still says the office's time.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="America/New_York")
    phone.add_init_script(ALERT_RECORDER)
    phone.goto(f"{base}{ticket['status_url']}")
    expect(phone.locator("#st-live")).to_have_attribute("data-state", "online")
    issued = datetime.fromisoformat(ticket["issued_at"]).astimezone(ZoneInfo("Asia/Jakarta"))
    expect(phone.locator("#st-issued")).to_have_text(f"{issued:%H.%M} WIB")
    expect(phone.locator("#st-updated")).to_contain_text("WIB")
    expect(phone.locator("#st-alert")).to_be_hidden()
    expect(phone.locator("#st-sound")).to_have_text("Sentuh di sini untuk menyalakan bunyi panggilan")
    phone.tap("#st-sound")  # the first touch arms the sound (browsers' autoplay rule)
    expect(phone.locator("#st-sound")).to_have_attribute("data-state", "on")
    shot(phone, "1-waiting")

    clerk = Staff(live_server, "pelayanan2")
    clerk.post("/counter/call-next")
    alert = phone.locator("#st-alert")
    expect(alert).to_be_visible(timeout=3000)
    expect(phone.locator("#st-alert-text")).to_have_text("Nomor Anda dipanggil — silakan menuju Loket 2")
    box = alert.bounding_box()
    assert box["y"] <= 1 and box["height"] >= 80  # across the top, not a line among others
    phone.wait_for_function("window.__tones.length >= 3")
    assert phone.evaluate("window.__vibrations") == [[400, 200, 400, 200, 400]]
    assert phone.evaluate("window.__tones") == [880, 660, 880]
    assert phone.title().startswith("Dipanggil: B001")
    shot(phone, "2-called")
    phone.tap("#st-alert-ok")
    expect(alert).to_be_hidden()
    assert phone.evaluate("window.__vibrations")[-1] == 0  # the vibration stops
    # The same call seen again (the 30 s refresh, a reconnect) does not alert twice.
    phone.evaluate("() => { window.__tones.length = 0; }")
    phone.reload()
    expect(phone.locator("#st-live")).to_have_attribute("data-state", "online")
    expect(alert).to_be_visible()  # opened while called: the banner, silently
    phone.wait_for_timeout(500)
    assert phone.evaluate("window.__tones") == [] and phone.evaluate("window.__vibrations") == []
    assert re.search(r"Loket 2", phone.locator("body").text_content())
    phone.tap("#st-alert-ok")
    phone.tap("#st-sound")

    # The citizen did not come: the clerk calls the number again, and the phone alerts again.
    clerk.post(f"/counter/tickets/{ticket['id']}/call", {"kind": "recall"})
    expect(alert).to_be_visible(timeout=3000)
    expect(phone.locator("#st-alert-text")).to_have_text("Nomor Anda dipanggil — silakan menuju Loket 2")
    phone.wait_for_function("window.__tones.length >= 3")
    phone.wait_for_timeout(800)  # the refresh that follows the call does not alert a second time
    assert phone.evaluate("window.__tones") == [880, 660, 880]
    assert phone.evaluate("window.__vibrations") == [0, [400, 200, 400, 200, 400]]  # (0: the OK tap before)
    shot(phone, "3-recalled")

"""Chromium against `antrean serve`: the Kasi's report page draws its charts; the administrator edits a
service in the browser and an idle kiosk shows the change by itself. Screenshots go to test-artifacts/."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.clients import Staff
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser
WIDE = {"width": 1440, "height": 1000}


def login(page, server, username):
    page.goto(f"{server.url}/counter/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', server.passwords[username])
    page.click('button[type="submit"], form button')
    expect(page).to_have_url(f"{server.url}/counter/")


def walk_family_b(server, decision="MS"):
    """One Surat Keterangan Ahli Waris through the counter, by four roles over HTTP."""
    with urllib.request.urlopen(urllib.request.Request(
            f"{server.url}/api/v1/tickets", data=json.dumps({"service": "ahli_waris"}).encode(),
            headers={"Content-Type": "application/json"}), timeout=10) as resp:
        ticket = json.loads(resp.read())
    clerk = Staff(server, "pelayanan2")
    clerk.post("/counter/loket", {"loket_id": 2})
    clerk.post("/counter/call-next")
    clerk.post(f"/counter/tickets/{ticket['id']}/step", {"step": 2, "name": "Sri Wahyuni", "nik": "3503124507540001"})
    for step, user in [(3, "kasi"), (4, "register"), (5, "sekcam"), (6, "camat")]:
        data = {"step": step, "decision": decision} if step == 3 else {"step": step}
        if decision == "TMS":
            data["missing"] = "KTP dan Kartu Keluarga (KK) para ahli waris"
        Staff(server, user).post(f"/counter/tickets/{ticket['id']}/step", data)
        if decision == "TMS":
            break
    return ticket


def drawn_pixels(page, canvas_id: str) -> int:
    """How many pixels of a canvas are not transparent: zero for a chart that never drew."""
    return page.evaluate("""(id) => { const c = document.getElementById(id);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""", canvas_id)


def test_report_page_draws_its_charts(live_server, new_page, shot):
    walk_family_b(live_server)
    walk_family_b(live_server, decision="TMS")
    page = new_page(viewport=WIDE)
    login(page, live_server, "kasi")
    page.goto(f"{live_server.url}/counter/reports/")
    expect(page.locator("#kpi-tickets")).to_have_text("2")
    expect(page.locator("#kpi-tms")).to_have_text("50%")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-steps') && Chart.getChart('chart-hours')")
    page.wait_for_timeout(600)  # the charts' entry animation
    assert drawn_pixels(page, "chart-steps") > 2000
    assert drawn_pixels(page, "chart-hours") > 500
    labels = page.evaluate("() => Chart.getChart('chart-steps').data.labels")
    assert any("Menerima" in str(label) or "2" in str(label) for label in labels)
    expect(page.locator("#steps")).to_contain_text("Kasi Pelayanan")
    body = page.locator("body").text_content()
    assert "3503124507540001" not in body
    shot(page, "report")
    page.emulate_media(media="print")
    shot(page, "report-print")


def test_admin_edits_a_service_and_an_idle_kiosk_shows_it(live_server, new_page, shot):
    kiosk = new_page(viewport={"width": 1080, "height": 1920})
    kiosk.goto(f"{live_server.url}/kiosk/?refresh=2")
    kiosk.click('button.group[data-group="surat_keterangan"]')
    expect(kiosk.locator('button.service[data-service="bepergian"]')).to_be_visible()

    admin = new_page(viewport=WIDE)
    login(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/counter/admin/services/bepergian")
    admin.fill('input[name="name"]', "Surat Keterangan Bepergian (Boro)")
    admin.fill('input[name="steps-2-minutes"]', "4")
    shot(admin, "service-form")
    admin.click("#save-service")
    expect(admin.locator(".flash.ok")).to_contain_text("Surat Keterangan Bepergian (Boro)")

    # a bad edit: the form comes back with the message and the input kept
    admin.fill('input[name="prefix"]', "b9")
    admin.click("#save-service")
    expect(admin.locator("#form-error")).to_contain_text("prefix")
    expect(admin.locator('input[name="prefix"]')).to_have_value("B9")
    shot(admin, "service-refused")

    # the kiosk, untouched, reloads within its refresh time and shows the new name
    kiosk.wait_for_function("() => document.body.textContent.includes('Surat Keterangan Bepergian (Boro)')",
                            timeout=15_000)
    kiosk.click('button.group[data-group="surat_keterangan"]')
    expect(kiosk.locator('button.service[data-service="bepergian"]')).to_contain_text("(Boro)")
    shot(kiosk, "kiosk-after-edit")

    admin.goto(f"{live_server.url}/counter/admin/")
    expect(admin.locator("#catalogue-source")).to_contain_text("versi 1")
    shot(admin, "overview")

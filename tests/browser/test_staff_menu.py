"""Chromium against `antrean serve`: the Kasi and the administrator find every page their roles may
open through the staff menu, each page keeps the menu, and a page outside their roles answers an
Indonesian 403. Screenshots go to test-artifacts/."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.clients import Staff
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}

KASI = ["Loket", "Berkas menunggu", "Laporan", "Buku Register", "Paket evaluasi", "Hasil SKM", "Layanan kios",
        "Antrean cetak", "Pesan keluar", "Layar & suara"]
ADMIN = [*KASI, "Standar Pelayanan", "Administrasi"]
HEADINGS = {  # what each page says it is, once opened from the menu
    "Loket": None, "Berkas menunggu": "Berkas menunggu langkah Anda", "Laporan": "Laporan",
    "Buku Register": "Buku Register", "Layanan kios": "Layanan kios hari ini", "Antrean cetak": "Antrean cetak",
    "Layar & suara": "Pengaturan layar antrean", "Administrasi": "Administrasi",
    "Hasil SKM": "Hasil Survei Kepuasan Masyarakat", "Standar Pelayanan": "Standar Pelayanan",
    "Paket evaluasi": "Paket evaluasi pelayanan publik", "Pesan keluar": "Pesan keluar",
}


def login(page, server, username):
    page.goto(f"{server.url}/counter/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', server.passwords[username])
    page.click("#login")
    expect(page).to_have_url(f"{server.url}/counter/")


def file_for_the_sekcam(server):
    """A Surat Keterangan Ahli Waris verified and registered: it waits for the Sekcam (step 5)."""
    with urllib.request.urlopen(urllib.request.Request(
            f"{server.url}/api/v1/tickets", data=json.dumps({"service": "ahli_waris"}).encode(),
            headers={"Content-Type": "application/json"}), timeout=10) as resp:
        ticket = json.loads(resp.read())
    clerk = Staff(server, "pelayanan2")
    clerk.post("/counter/loket", {"loket_id": 2})
    clerk.post("/counter/call-next")
    clerk.post(f"/counter/tickets/{ticket['id']}/step", {"step": 2, "name": "Sri Wahyuni", "nik": "3503124507540001"})
    Staff(server, "kasi").post(f"/counter/tickets/{ticket['id']}/step", {"step": 3, "decision": "MS"})
    Staff(server, "register").post(f"/counter/tickets/{ticket['id']}/step", {"step": 4})
    return ticket


def walk_the_menu(page, expected, shot, who):
    menu = page.locator("#staff-menu")
    expect(menu.locator("a")).to_have_text(expected)
    for label in expected:
        page.locator("#staff-menu a", has_text=label).first.click()
        page.wait_for_load_state("domcontentloaded")
        expect(page.locator("#staff-menu a[aria-current=page]")).to_have_text(label)
        expect(page.locator("#staff-menu a")).to_have_text(expected)  # the same menu on every page
        if HEADINGS[label]:
            expect(page.locator("h1").first).to_contain_text(HEADINGS[label])
        text = page.locator("body").inner_text()
        assert "Forbidden" not in text and "Not Found" not in text, label
    shot(page, f"{who}-last-page")


def test_the_kasi_walks_the_menu(live_server, new_page, shot):
    ticket = file_for_the_sekcam(live_server)
    page = new_page(viewport=WIDE)
    login(page, live_server, "kasi")
    shot(page, "kasi-counter")
    walk_the_menu(page, KASI, shot, "kasi")
    page.locator("#staff-menu a", has_text="Laporan").click()
    shot(page, "kasi-reports")
    page.goto(f"{live_server.url}/counter/admin/")  # not the Kasi's page
    expect(page.locator("h1")).to_have_text("Akses ditolak")
    expect(page.locator("#staff-menu a")).to_have_text(KASI)  # and a way back
    shot(page, "kasi-403")
    # the Sekcam's back-office list: the file, its agenda number and its age
    sekcam = new_page(viewport=WIDE)
    login(sekcam, live_server, "sekcam")
    sekcam.locator("#staff-menu a", has_text="Berkas menunggu").click()
    row = sekcam.locator(f'tr[data-file="{ticket["number"]}"]')
    expect(row).to_contain_text("474/001/406.07/2026")
    expect(row.locator(".age")).not_to_be_empty()
    shot(sekcam, "sekcam-files")
    row.get_by_role("button", name="Buka").click()
    expect(sekcam.locator(".agenda-number b").first).to_have_text("474/001/406.07/2026")
    shot(sekcam, "sekcam-opened-file")


def test_the_administrator_walks_the_menu(live_server, new_page, shot):
    page = new_page(viewport=WIDE)
    login(page, live_server, "admin")
    walk_the_menu(page, ADMIN, shot, "admin")
    page.locator("#staff-menu a", has_text="Administrasi").click()
    page.locator(".admin-nav a", has_text="Layanan & SOP").click()
    page.locator("a", has_text="Surat Keterangan Ahli Waris").first.click()
    expect(page.locator('select[name="steps-2-kind"] option:checked')).to_have_text("Verifikasi (MS/TMS)")
    shot(page, "admin-service")
    page.locator("#staff-menu a", has_text="Layanan kios").click()
    shot(page, "admin-availability")

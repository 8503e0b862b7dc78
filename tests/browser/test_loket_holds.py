"""The loket holds its ticket, in real browsers: the same clerk on two PCs (two browser contexts)
both see the ticket called at their loket, a re-login (and a browser that lost its session) still
shows it, and "Panggil berikutnya" while it is called shows the busy loket's choices instead of
abandoning it. Screenshots: ``test-artifacts/loket-holds-*.png``.
"""
from __future__ import annotations

import pytest

from tests.browser.test_counter_walkthrough import Counter, issue_ticket, save, team, wait_live
from tests.support.needs_playwright import expect

pytestmark = pytest.mark.browser


def held(counter: Counter, number: str):
    return counter.page.locator(f'#loket-tickets div.held[data-held="{number}"] article.ticket-card')


def test_the_same_clerk_on_two_pcs_keeps_the_called_ticket_through_a_relogin(live_server, new_page):
    base = live_server.url
    issue_ticket(base, "ktp")
    issue_ticket(base, "ktp")
    problems: list[str] = []
    pc1 = Counter(new_page, live_server, "pelayanan1")
    pc2 = Counter(new_page, live_server, "pelayanan1")
    team(pc1, pc2)

    # PC 1 calls; PC 2 (same clerk, same loket) shows it without a reload
    pc1.press(pc1.page.locator("#call-next"))
    expect(held(pc1, "A001")).to_be_visible()
    expect(held(pc1, "A001")).to_have_attribute("data-status", "called")
    wait_live(pc2, held(pc2, "A001"), "PC 2 shows the ticket PC 1 called", problems)
    save(pc2.page, "loket-holds-pc2-sees-the-call")

    # a re-login on PC 1 (which ends every session of the user: PC 2 must log in again too)
    pc1.logout()
    pc1.login("pelayanan1")
    expect(held(pc1, "A001")).to_be_visible()
    pc2.page.reload()
    assert "/counter/login" in pc2.page.url, pc2.page.url
    pc2.login("pelayanan1")
    expect(held(pc2, "A001")).to_be_visible()
    expect(pc2.page.locator("#loket-tickets h2")).to_contain_text("Tiket di Loket 1")

    # "Panggil berikutnya" on PC 2 while A001 is called: refused, with the choices; nothing called
    pc2.press(pc2.page.locator("#call-next"))
    busy = pc2.page.locator("#loket-busy")
    expect(busy).to_be_visible()
    expect(busy).to_contain_text("Loket 1 masih memegang tiket")
    expect(busy.locator('li[data-held="A001"]')).to_contain_text("Dipanggil, pemohon belum datang")
    for choice in ("Selesaikan", "Tidak hadir", "Kembalikan ke antrean", "Panggil tetap"):
        expect(busy.get_by_text(choice, exact=True)).to_be_visible()
    assert pc2.page.url.rstrip("/").endswith("/counter"), "the address bar should show the counter again"
    expect(held(pc2, "A002")).to_have_count(0)
    save(pc2.page, "loket-holds-busy-choices")

    # "Selesaikan" leads to the ticket's own card, with its receiving form
    expect(busy.get_by_text("Selesaikan", exact=True)).to_have_attribute("href", "#ticket-1")
    expect(pc2.page.locator("#ticket-1 form.step-form")).to_be_visible()

    # call anyway: both tickets are the loket's now, on both PCs
    pc2.press(pc2.page.locator("#call-anyway"))
    expect(held(pc2, "A001")).to_be_visible()
    expect(held(pc2, "A002")).to_be_visible()
    wait_live(pc1, held(pc1, "A002"), "PC 1 shows the ticket called anyway on PC 2", problems)
    expect(held(pc1, "A001")).to_be_visible()

    # PC 1 gives A001 back to the queue; PC 2 follows
    pc1.press(pc1.page.locator('#ticket-1 form.return-form button'))
    expect(held(pc1, "A001")).to_have_count(0)
    expect(pc1.page.locator(".flashes")).to_contain_text("A001 dikembalikan ke antrean pada urutannya.")
    try:
        expect(held(pc2, "A001")).to_have_count(0, timeout=5_000)
    except AssertionError:
        problems.append("PC 2 still shows A001 after PC 1 returned it to the queue")
    save(pc1.page, "loket-holds-pc1-after-return")
    assert not problems, problems


def test_tim_teknis_at_the_mixed_loket_is_told_who_takes_a_complaint_and_transfers_it(live_server, new_page):
    import base64
    import json
    import urllib.request

    base = live_server.url
    complaint = issue_ticket(base, "pengaduan")
    issue_ticket(base, "oss")
    teknis = Counter(new_page, live_server, "teknis")  # Tim Teknis, Loket 3 (OSS and Pengaduan)
    expect(teknis.page.locator('li[data-waiting="D001"]')).to_have_count(0)  # not offered to him
    expect(teknis.page.locator('li[data-waiting="C001"]')).to_be_visible()  # OSS is

    # a Petugas Pelayanan calls the complaint to Loket 3 anyway (the staff API, a chosen ticket)
    auth = base64.b64encode(f"pelayanan1:{live_server.passwords['pelayanan1']}".encode()).decode()
    req = urllib.request.Request(f"{base}/api/v1/staff/tickets/{complaint['id']}/call",
                                 data=json.dumps({"loket": 3}).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Basic " + auth})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
    problems: list[str] = []
    wait_live(teknis, held(teknis, "D001"), "Loket 3 shows the complaint called there", problems)
    hint = teknis.page.locator('div.held[data-held="D001"] .who-can')
    expect(hint).to_contain_text("dikerjakan oleh Petugas Pelayanan, bukan oleh peran Anda")
    expect(hint).to_contain_text("Petugas Pelayanan ada di: Loket 1, Loket 2")
    expect(hint).not_to_contain_text("petugas_pelayanan")
    card = held(teknis, "D001")
    expect(card.locator("form.step-form")).to_have_count(0)
    save(teknis.page, "loket-holds-who-can")

    card.locator('select[name="loket_id"]').select_option(label="Loket 1")
    teknis.press(card.get_by_role("button", name="Alihkan"))
    expect(held(teknis, "D001")).to_have_count(0)
    expect(teknis.page.locator(".flashes")).to_contain_text("D001 dialihkan")
    assert not problems, problems

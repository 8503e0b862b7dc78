"""At the counter, in Chromium: the hand-over of a signed letter asks for the pickup code printed on
the applicant's ticket; a wrong code is refused in Indonesian and nothing is handed over; the right
one hands it over. Screenshots: test-artifacts/handover-*.png."""
from __future__ import annotations

import pytest

from tests.support.browser import log_in
from tests.support.clients import Staff
from tests.support.factories import issue
from tests.support.needs_playwright import expect
from tests.support.printed import printed_pickup_code

pytestmark = pytest.mark.browser

APPLICANT = {"name": "Sri Wahyuni", "nik": "3503124507540001", "address": "", "phone": ""}
SIGNED = [(2, "pelayanan2", APPLICANT), (3, "kasi", {"decision": "MS"}), (4, "register", {}), (5, "sekcam", {}),
          (6, "camat", {})]


def signed_letter(live_server) -> dict:
    """An Ahli Waris letter walked by each step's actor up to the hand-over (step 7)."""
    ticket = issue(live_server, "ahli_waris")
    clerks = {user: Staff(live_server, user) for user in {u for _n, u, _d in SIGNED}}
    clerks["pelayanan2"].call_next()
    for number, user, data in SIGNED:
        page = clerks[user].post(f"/counter/tickets/{ticket['id']}/step", data={"step": number, **data})
        assert "flash error" not in page, (number, user)
    return ticket


def test_hand_over_asks_for_the_code_refuses_a_wrong_one_and_accepts_the_right_one(live_server, new_page, shot):
    ticket = signed_letter(live_server)
    code = printed_pickup_code(live_server.tmp / "printed", ticket["number"])  # the applicant's paper

    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, live_server.url, "pelayanan2", live_server.passwords["pelayanan2"])
    card = page.locator(f'article.ticket-card[data-ticket="{ticket["number"]}"]')
    form = card.locator('form.step-form[data-step="7"]')
    expect(form).to_be_visible()
    code_box = form.locator("#pickup-code")
    expect(code_box).to_be_visible()
    expect(form.get_by_label("Kode pengambilan (tercetak pada tiket pemohon)")).to_have_attribute("id", "pickup-code")
    expect(form.locator(".waiver summary")).to_have_text("Tiket hilang? Serahkan tanpa kode")
    expect(form.locator("#waiver-reason")).to_be_hidden()  # the waiver stays folded until asked for
    assert code not in page.content(), "the counter shows the code it asks for"
    code_box.scroll_into_view_if_needed()
    shot(page, "1-asks-for-the-code")

    # A wrong code: refused, said in Indonesian, the letter not handed over.
    code_box.fill("AAAAAA" if code != "AAAAAA" else "CCCCCC")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("p.flash.error")).to_contain_text("Kode pengambilan salah. Dokumen belum diserahkan.")
    expect(page.locator("p.flash.error")).to_contain_text("Sisa percobaan: 4")
    card = page.locator(f'article.ticket-card[data-ticket="{ticket["number"]}"]')
    expect(card).to_have_attribute("data-status", "in_progress")
    form = card.locator('form.step-form[data-step="7"]')
    expect(form.locator("#handover-attempts")).to_have_text("Kode salah 1 kali; sisa percobaan: 4.")
    shot(page, "2-wrong-code-refused")

    # The right code, typed as people do (lower case, a space): handed over, the ticket done.
    form.locator("#pickup-code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("p.flash.ok")).to_contain_text(f"{ticket['number']} selesai")
    card = page.locator(f'article.ticket-card[data-ticket="{ticket["number"]}"]')
    expect(card).to_have_attribute("data-status", "done")
    expect(card.locator("form.step-form")).to_have_count(0)
    shot(page, "3-right-code-handed-over")


def test_a_lost_ticket_is_handed_over_with_a_reason(live_server, new_page, shot):
    ticket = signed_letter(live_server)
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, live_server.url, "pelayanan2", live_server.passwords["pelayanan2"])
    form = page.locator(f'article.ticket-card[data-ticket="{ticket["number"]}"] form.step-form[data-step="7"]')
    form.locator(".waiver summary").click()
    form.locator("#without-code").check()
    form.locator("#waiver-reason").fill("Tiket hilang, identitas dicek dengan KTP")
    shot(page, "waiver")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("p.flash.ok")).to_contain_text(f"{ticket['number']} selesai")


def test_an_anonymous_complaint_is_taken_at_the_counter(live_server, new_page, shot):
    """Pengaduan at Loket 3: no name or NIK needed, the complaint's channel and text on the form."""
    ticket = issue(live_server, "pengaduan")
    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, live_server.url, "pelayanan1", live_server.passwords["pelayanan1"])
    with page.expect_navigation():
        page.locator("select#loket").select_option(label="Loket 3")
    with page.expect_navigation():
        page.get_by_role("button", name="Panggil berikutnya").click()
    form = page.locator(f'article.ticket-card[data-ticket="{ticket["number"]}"] form.step-form[data-step="2"]')
    expect(form).to_contain_text("nama dan NIK boleh dikosongkan")
    form.get_by_label("Telepon", exact=True).check()
    form.get_by_label("Isi pengaduan").fill("Lampu jalan di depan balai desa mati sejak dua minggu.")
    form.get_by_label("Nomor pelacakan SP4N-LAPOR! (jika ada)").fill("4421907")
    form.locator("input[name=decision][value=MS]").check()
    shot(page, "1-intake")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("p.flash.ok")).to_contain_text(f"Langkah 2 selesai untuk {ticket['number']}")
    record = page.locator(f'article.ticket-card[data-ticket="{ticket["number"]}"] #complaint-record')
    expect(record).to_contain_text("Telepon: Lampu jalan di depan balai desa")
    expect(record.locator(".lapor")).to_have_text("4421907")
    shot(page, "2-recorded")
    status = new_page(viewport={"width": 390, "height": 844})
    status.goto(f"{live_server.url}/kiosk/t/{ticket['public_id']}")
    expect(status.locator("body")).to_contain_text(ticket["number"])
    expect(status.locator("body")).not_to_contain_text("Lampu jalan")

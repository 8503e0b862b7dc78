"""The kiosk's confirmation setting (on by default, the administrator turns it off on the kiosk
services page), the phone's status page (the office's time, the survey link once done, the call
alert's texts) and the survey's idle reset and language switch, through the Flask test client."""
from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from antrean.shared.store.models import AuditEntry
from tests.support.factories import issue


def texts(page: str) -> dict:
    """The status page's texts for its script (the alert's words among them)."""
    return json.loads(re.search(r'<script id="status-text" type="application/json">(.*?)</script>', page, re.S).group(1))


def kiosk_confirm(client) -> str:
    return re.search(r'data-confirm="(\d)"', client.get("/kiosk/?lang=id").get_data(as_text=True)).group(1)


def test_the_confirmation_step_is_on_by_default_with_each_services_documents(client, catalogue):
    page = client.get("/kiosk/?lang=id").get_data(as_text=True)
    assert 'data-confirm="1"' in page
    assert 'id="step-confirm"' in page and "Ambil tiket" in page and "Periksa pilihan Anda" in page
    info = json.loads(re.search(r'<script id="kiosk-services" type="application/json">(.*?)</script>',
                                page, re.S).group(1))
    assert info["ahli_waris"]["requirements"] == list(catalogue.services["ahli_waris"].requirements)
    assert set(info) == set(catalogue.services)
    assert client.get("/api/v1/services").get_json()["kiosk"] == {"confirm": True}


def test_the_administrator_turns_it_off_and_on_and_it_is_audited(app, client, login):
    login("admin")
    page = client.get("/counter/availability/").get_data(as_text=True)
    assert "Pengaturan kios" in page and 'id="kiosk-confirm-toggle"' in page and "Matikan konfirmasi" in page
    resp = client.post("/counter/availability/settings", data={"confirm": "0"})
    assert resp.status_code == 302
    assert "Kios langsung mencetak tiket tanpa konfirmasi." in client.get("/counter/availability/").get_data(as_text=True)
    assert kiosk_confirm(client) == "0"
    assert client.get("/api/v1/services").get_json()["kiosk"] == {"confirm": False}
    assert client.post("/counter/availability/settings", json={"confirm": True}).get_json() == {"confirm": True}
    assert kiosk_confirm(client) == "1"
    with app.extensions["antrean"].sessions() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk:confirm")
                            .order_by(AuditEntry.id)).all()
        assert [(e.username, e.before, e.after) for e in entries] == [
            ("admin", {"confirm": True}, {"confirm": False}), ("admin", {"confirm": False}, {"confirm": True})]


def test_other_staff_see_the_setting_but_cannot_change_it(client, login):
    login("kasi")
    page = client.get("/counter/availability/").get_data(as_text=True)
    assert "Pengaturan kios" in page and 'id="kiosk-confirm-toggle"' not in page
    assert "Hanya administrator yang dapat mengubahnya." in page
    assert client.post("/counter/availability/settings", data={"confirm": "0"}).status_code == 403
    assert kiosk_confirm(client) == "1"


def test_a_value_that_is_not_yes_or_no_is_refused_in_indonesian(client, login):
    login("admin")
    for bad in ("maybe", 1, None, [True]):
        resp = client.post("/counter/availability/settings", json={"confirm": bad})
        assert resp.status_code == 400, bad
        assert resp.get_json()["error"] == "Pilih apakah kios menampilkan konfirmasi (ya atau tidak)."
    resp = client.post("/counter/availability/settings", data={"confirm": "x"})
    assert resp.status_code == 302
    assert "Pilih apakah kios" in client.get("/counter/availability/").get_data(as_text=True)
    assert kiosk_confirm(client) == "1"


def test_anonymous_users_cannot_change_it(client):
    resp = client.post("/counter/availability/settings", data={"confirm": "0"})
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]
    assert kiosk_confirm(client) == "1"


# -- the phone's status page ------------------------------------------------------------------


def test_the_status_page_shows_the_office_time_and_arms_the_call_alert(client, clock):
    t = issue(client, "ahli_waris")
    page = client.get(t["status_url"] + "?lang=id").get_data(as_text=True)
    # The demo clock is 08:00 in Jakarta (01:00 UTC): the page says 08.00 WIB, whatever the phone's zone.
    local = clock().astimezone(ZoneInfo("Asia/Jakarta"))
    assert f'<dd id="st-issued">{local:%H.%M} WIB</dd>' in page
    assert 'data-tz="Asia/Jakarta"' in page and 'data-tz-label="WIB"' in page
    assert 'id="st-alert"' in page and texts(page)["alert_called"] == "Nomor Anda dipanggil — silakan menuju {loket}"
    assert "Sentuh di sini untuk menyalakan bunyi panggilan" in page
    survey = re.search(r'<a class="st-survey" id="st-survey" href="([^"]+)"\s*hidden>', page)
    assert survey and survey.group(1) == f"/kiosk/survei/{t['public_id']}"  # shown once the ticket is done


def test_the_status_page_of_a_finished_ticket_links_to_the_survey(app, client):
    from antrean.shared.store.models import Ticket

    t = issue(client, "ahli_waris")
    with app.extensions["antrean"].sessions.begin() as s:  # finished (the walk itself: tests/service)
        s.get(Ticket, t["id"]).status = "done"
    page = client.get(t["status_url"]).get_data(as_text=True)
    assert re.search(rf'<a class="st-survey" id="st-survey" href="/kiosk/survei/{t["public_id"]}"\s*>', page)
    assert "Isi survei kepuasan" in page
    english = client.get(t["status_url"] + "?lang=en").get_data(as_text=True)
    assert "Fill in the satisfaction survey" in english
    assert texts(english)["alert_called"] == "Your number is called — please go to {loket}"


# -- the survey --------------------------------------------------------------------------------


def test_the_survey_resets_when_idle_and_switches_language(client):
    page = client.get("/kiosk/survei/?lang=id").get_data(as_text=True)
    assert 'data-idle-seconds="90"' in page and 'data-default-lang="id"' in page
    assert 'data-start-url="/kiosk/survei/"' in page and "survey.js" in page
    assert 'data-lang="en"' in page and "Masukkan nomor antrean" in page
    english = client.get("/kiosk/survei/?lang=en&idle=30").get_data(as_text=True)
    assert 'data-idle-seconds="30"' in english and '<html lang="en">' in english
    assert "Public Satisfaction Survey" in english
    assert 'data-idle-seconds="600"' in client.get("/kiosk/survei/?idle=99999").get_data(as_text=True)


def test_the_phone_following_a_ticket_is_told_of_each_of_its_calls_and_only_those(app, app_staff):
    from antrean.shared.realtime.hub import socketio
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User

    desk = app.extensions["antrean"]
    with desk.sessions() as s:
        clerk = Actor.of(s.scalar(select(User).where(User.username == "pelayanan2")))
    mine, other = desk.issue_ticket("ahli_waris"), desk.issue_ticket("ahli_waris")
    phones = {}
    for t in (mine, other):
        phones[t["number"]] = socketio.test_client(app, namespace="/ticket")
        phones[t["number"]].emit("follow", {"public_id": t["public_id"]}, namespace="/ticket", callback=True)

    def calls(number):
        return [r["args"][0] for r in phones[number].get_received("/ticket") if r["name"] == "call"]

    desk.call_next(clerk)  # B001, at Loket 2
    desk.recall(clerk, mine["id"])
    got = calls(mine["number"])
    assert [(c["number"], c["loket_name"], c["kind"]) for c in got] == [("B001", "Loket 2", "call"),
                                                                      ("B001", "Loket 2", "recall")]
    assert set(got[0]) == {"number", "loket", "loket_name", "kind", "at"}  # public fields only
    assert calls(other["number"]) == []  # another ticket's phone hears nothing of it
    for phone in phones.values():
        phone.disconnect(namespace="/ticket")

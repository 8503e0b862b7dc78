"""The display blueprint through the Flask and Socket.IO test clients: the page, the announcement
audio, the speech state, and the staff form for the running text and announcement settings."""
from __future__ import annotations

import io
import json
import re
import wave

import pytest

from antrean.hardware.speech import ToneSynthesizer


@pytest.fixture
def tone_app(tmp_path, clock, printer):
    from antrean.shared.app import create_app

    synth = ToneSynthesizer(tmp_path / "audio", seconds=0.2)
    app = create_app(
        {"INSTANCE": tmp_path, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
         "SECRET_KEY": "test", "TESTING": True, "WTF_CSRF_ENABLED": False, "ALWAYS_OPEN": True},
        clock=clock, printer=printer, start_workers=False, synthesizer=synth,
    )
    yield app
    synth.close()
    app.extensions["antrean.engine"].dispose()


@pytest.fixture
def staff_of(tone_app):
    from antrean.shared.services.demo import create_demo
    from tests.support.fakes import fast_hash

    passwords = {u: p for u, p, _r in create_demo(tone_app.extensions["antrean"].sessions, hasher=fast_hash)}

    def _login(username):
        c = tone_app.test_client()
        resp = c.post("/counter/login", data={"username": username, "password": passwords[username]})
        assert resp.status_code == 302
        return c
    return _login


def status_of(client, url):
    with client.get(url) as resp:  # file responses hold the file open until closed
        return resp.status_code


def display_socket(app):
    from antrean.shared.realtime.hub import socketio

    return socketio.test_client(app, namespace="/display")


def received(sio, name):
    return [r["args"][0] for r in sio.get_received("/display") if r["name"] == name]


def test_the_page_has_every_part_and_the_tap_to_enable_sound_note(client):
    page = client.get("/display/").get_data(as_text=True)
    for part in ('id="now-number"', 'id="lokets"', 'id="recent"', 'id="waiting"', 'id="ready"', 'id="clock"',
                 'id="date"', 'id="running-text"', "Kecamatan Kampak", "WIB"):
        assert part in page, part
    assert "Ketuk untuk mengaktifkan suara" in page
    assert '"sound": "on"' in page and "/display/audio/chime.wav" in page
    assert '<img class="logo"' not in page  # no logo file: the office name alone
    assert '"sound": "off"' in client.get("/display/?sound=off").get_data(as_text=True)
    en = client.get("/display/?lang=en").get_data(as_text=True)
    assert "Tap to turn the sound on" in en and "Now serving" in en


def test_the_office_logo_is_shown_when_the_instance_has_one(app, client):
    from pathlib import Path

    logo = Path(app.instance_path) / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    page = client.get("/display/").get_data(as_text=True)
    assert '<img class="logo" src="/display/logo"' in page
    assert status_of(client, "/display/logo") == 200


def test_a_call_carries_its_sentence_and_audio_and_the_audio_is_a_wav(tone_app, staff_of):
    sio = display_socket(tone_app)
    clerk = staff_of("pelayanan2")
    clerk.post("/api/v1/tickets", json={"service": "ahli_waris"})
    clerk.post("/counter/call-next")
    calls = received(sio, "call")
    assert len(calls) == 1
    c = calls[0]
    assert c["number"] == "B001" and c["chime"] == "/display/audio/chime.wav"
    assert c["announce"] == [{"lang": "id", "text": "Nomor antrian, B satu, silakan menuju loket dua",
                              "audio": c["audio"]}]
    assert c["text"] == "Nomor antrian, B satu, silakan menuju loket dua"
    assert re.fullmatch(r"/display/audio/[0-9a-f]{32}\.wav", c["audio"])
    with clerk.get(c["audio"]) as resp:
        assert resp.status_code == 200 and resp.mimetype == "audio/wav"
        with wave.open(io.BytesIO(resp.data)) as w:
            assert w.getnframes() > 0
    assert status_of(clerk, "/display/audio/chime.wav") == 200
    sio.disconnect(namespace="/display")


def test_audio_urls_that_are_not_ours_are_404(tone_app):
    c = tone_app.test_client()
    assert status_of(c, "/display/audio/..%2Fapp.db.wav") == 404
    assert status_of(c, "/display/audio/nothex.wav") == 404
    assert tone_app.extensions["antrean.display"].wav_path("0" * 32, wait=0.2) is None


def test_without_speech_a_call_still_goes_out_with_its_text_and_no_audio(app, client, login):
    """The default test app has no speech worker: the display shows and chimes only."""
    sio = display_socket(app)
    snap = received(sio, "snapshot")[0]
    assert snap["speech"]["available"] is False and snap["speech"]["reason"]
    client.post("/api/v1/tickets", json={"service": "ktp"})
    login("pelayanan1")
    client.post("/counter/call-next")
    c = received(sio, "call")[0]
    assert c["audio"] is None and c["text"] == "Nomor antrian, A satu, silakan menuju loket satu"
    state = client.get("/display/speech.json").get_json()
    assert state["available"] is False and "not started" in state["reason"]
    sio.disconnect(namespace="/display")


def test_the_snapshot_carries_running_text_speech_and_announced_recent_calls(tone_app, staff_of):
    clerk = staff_of("pelayanan1")
    clerk.post("/api/v1/tickets", json={"service": "ktp"})
    clerk.post("/counter/call-next")
    state = clerk.get("/display/state.json").get_json()
    assert state["speech"] == {"available": True, "reason": ""}
    assert state["running_text"] == ""
    assert state["recent"][0]["number"] == "A001"
    assert state["recent"][0]["announce"][0]["text"].startswith("Nomor antrian, A satu")
    assert clerk.get("/display/speech.json").get_json()["langs"]["id"]["available"] is True


def test_settings_need_a_login_and_a_role(tone_app, staff_of):
    anon = tone_app.test_client()
    resp = anon.get("/display/settings")
    assert resp.status_code == 302 and "/counter/login" in resp.headers["Location"]
    assert anon.post("/display/settings", data={"running_text": "x"}).status_code == 302
    assert staff_of("pelayanan1").get("/display/settings").status_code == 403
    assert staff_of("pelayanan1").post("/display/settings", data={"running_text": "x"}).status_code == 403
    for username in ("kasi", "sekcam", "admin"):
        page = staff_of(username).get("/display/settings").get_data(as_text=True)
        assert 'name="running_text"' in page and "Nomor antrian, A dua belas, silakan menuju loket dua" in page
    # the office hears how each kind of call sounds, with the catalogue's purposes
    page = staff_of("kasi").get("/display/settings").get_data(as_text=True)
    assert "silakan menuju loket dua untuk perekaman e-KTP" in page
    assert "silakan menuju loket dua untuk pengambilan rekomendasi" in page


def test_staff_set_the_running_text_and_every_display_gets_it_at_once(tone_app, staff_of):
    sio = display_socket(tone_app)
    received(sio, "snapshot")
    kasi = staff_of("kasi")
    resp = kasi.post("/display/settings", data={"running_text": "Selamat datang di Kecamatan Kampak",
                                                "announce_lang": "id+en", "announce_reading": "digits"})
    assert resp.status_code == 302
    assert received(sio, "settings") == [{"running_text": "Selamat datang di Kecamatan Kampak"}]
    assert "Pengaturan layar disimpan" in kasi.get("/display/settings").get_data(as_text=True)
    assert kasi.get("/display/state.json").get_json()["running_text"] == "Selamat datang di Kecamatan Kampak"
    assert "Selamat datang di Kecamatan Kampak" in kasi.get("/display/").get_data(as_text=True)
    # the announcement follows the new settings: Indonesian then English, digit by digit
    clerk = staff_of("pelayanan1")
    clerk.post("/api/v1/tickets", json={"service": "ktp"})
    clerk.post("/counter/call-next")
    c = received(sio, "call")[0]
    assert [a["text"] for a in c["announce"]] == [
        "Nomor antrian, A nol nol satu, silakan menuju loket satu",
        "Queue number, A-zero zero one, please proceed to counter one"]
    assert all(status_of(clerk, a["audio"]) == 200 for a in c["announce"])
    # stored in the settings table
    from antrean.shared.store.models import Setting

    with tone_app.extensions["antrean"].sessions() as s:
        assert s.get(Setting, "running_text").value == "Selamat datang di Kecamatan Kampak"
        assert s.get(Setting, "announce_lang").value == "id+en"
    sio.disconnect(namespace="/display")


def test_bad_settings_are_refused_with_a_message(tone_app, staff_of):
    kasi = staff_of("kasi")
    page = kasi.post("/display/settings", data={"running_text": "x", "announce_lang": "fr"},
                     follow_redirects=True).get_data(as_text=True)
    assert "flash error" in page and "announce_lang" in page
    assert kasi.get("/display/state.json").get_json()["running_text"] == ""


def test_the_settings_form_needs_its_csrf_token(tone_app, staff_of):
    kasi = staff_of("kasi")
    tone_app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert kasi.post("/display/settings", data={"running_text": "x"}).status_code == 400
        page = kasi.get("/display/settings").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert kasi.post("/display/settings", data={"running_text": "x", "csrf_token": token}).status_code == 302
    finally:
        tone_app.config["WTF_CSRF_ENABLED"] = False


def test_no_personal_data_reaches_the_display(tone_app, staff_of):
    sio = display_socket(tone_app)
    clerk = staff_of("pelayanan2")
    clerk.post("/api/v1/tickets", json={"service": "ahli_waris"})
    clerk.post("/counter/call-next")
    clerk.post("/counter/tickets/1/step", data={"step": 2, "name": "Sri Wahyuni", "nik": "3503124507540001"})
    clerk.post("/counter/tickets/1/call", data={"kind": "recall"})
    everything = str(sio.get_received("/display")) + clerk.get("/display/state.json").get_data(as_text=True)
    assert "Sri" not in everything and "3503124507540001" not in everything
    sio.disconnect(namespace="/display")


def display_text(page: str) -> dict:
    return json.loads(re.search(r'<script id="display-text" type="application/json">(.*?)</script>', page, re.S).group(1))


def test_call_kinds_are_words_in_the_screens_language_and_no_glyph_needs_a_special_font(client):
    page = client.get("/display/").get_data(as_text=True)
    text = display_text(page)
    assert text["purpose_field"] == "purpose" and text["for"] == "untuk"
    assert text["kinds"] == {"call": "", "recall": "Panggilan ulang", "pickup": "Pengambilan dokumen",
                             "in_person": "Dipanggil ke loket"}
    en = display_text(client.get("/display/?lang=en").get_data(as_text=True))
    assert en["purpose_field"] == "purpose_en" and en["for"] == "for"
    assert en["kinds"]["pickup"] == "Collecting documents" and en["more"] == "+{n} more"
    # the sound overlay's icon is drawn (inline SVG), no emoji or symbol character on the page
    assert '<button type="button" id="sound-gate"' in page and "<svg" in page
    assert not [ch for ch in page if ord(ch) > 0x24F and ch not in "\u2013\u2014\u2019"]
    resp = client.get("/display/static/display.css")
    css = resp.get_data(as_text=True)
    resp.close()
    assert not re.search(r"(?<![-\w])content\s*:", css)  # no generated glyphs (the old pickup mark was one)
    assert not [ch for ch in css if ord(ch) > 0x7E and ch not in "\u2013\u2014"]


def test_the_tv_shows_the_newest_published_skm_result_among_its_slides(app, app_staff, client, clock):
    """Issue 17 item 3: the TV's information slides carry the SKM result once a period is published
    (and nothing of it before)."""
    import json

    from sqlalchemy import select

    from antrean.shared.domain import skm as skm_rules
    from antrean.shared.services import skm, survey
    from antrean.shared.services.desk import Actor
    from antrean.shared.store.models import User
    from tests.support.factories import served_tickets, skm_answers

    def slides() -> list[dict]:
        page = client.get("/display/").get_data(as_text=True)
        start = page.index('<script id="display-slides" type="application/json">') + 52
        return json.loads(page[start:page.index("</script>", start)])

    assert not [s for s in slides() if s["title"] == "Hasil Survei Kepuasan Masyarakat"]
    d = app.extensions["antrean"]
    with d.sessions() as s:
        staff = {u.username: Actor.of(u) for u in s.scalars(select(User))}
    for t, score in zip(served_tickets(d, staff, clock, 2), (4, 3), strict=True):
        survey.submit(d.sessions, t["public_id"], skm_answers(score), clock=clock)
    today = clock.now.date()
    skm.publish(d, staff["kasi"], skm_rules.semester(today.year, 1 if today.month <= 6 else 2))
    slide = next(s for s in slides() if s["title"] == "Hasil Survei Kepuasan Masyarakat")
    items = {i["label"]: i["text"] for i in slide["items"]}
    assert items["Nilai IKM"] == "87.50 (B, Baik)" and items["Responden"] == "2"
    assert items["Periode"].startswith("Semester ") or items["Periode"].count("-") == 4


def test_a_missing_voice_is_explained_in_indonesian_on_the_staff_screens(app, client, login):
    """Issue 15 item 10: the speech worker's technical reason (English) stays in the log; the
    display settings and the counter say in Indonesian what it means and where to look."""
    login("kasi")
    for url in ("/display/settings", "/counter/"):
        page = client.get(url).get_data(as_text=True)
        assert "Suara pengumuman tidak tersedia" in page, url
        assert "speech worker" not in page and "not started" not in page, url

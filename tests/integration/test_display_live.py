"""Displays and announcements against a real `antrean serve` (gevent) with real espeak-ng speech.

Real python-socketio display clients, real clerks over HTTP (login, CSRF), the WAV files the
server makes are fetched and measured, and the speaker agent runs as its own process.
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
import wave
from array import array
from pathlib import Path

import pytest
import requests

from tests.support.clients import DisplayClient, Staff, close_all
from tests.support.env import ROOT, need_espeak
from tests.support.factories import issue
from tests.support.live_server import LiveServer


def measure(wav_bytes: bytes) -> tuple[float, float]:
    """(seconds, RMS) of a 16-bit mono WAV."""
    with wave.open(io.BytesIO(wav_bytes)) as w:
        assert w.getsampwidth() == 2
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = array("h")
    samples.frombytes(frames)
    rms = (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5
    return seconds, rms


def fetch_audio(server, url) -> bytes:
    resp = requests.get(f"{server.url}{url}", timeout=20)
    assert resp.status_code == 200, (url, resp.status_code)
    assert resp.headers["Content-Type"].startswith("audio/")
    return resp.content


def test_every_display_sees_and_can_play_a_call_within_a_second(live_server):
    need_espeak()
    assert "speech   : available (pyttsx3/espeak" in live_server.log.read_text()
    displays = [DisplayClient(live_server.url) for _ in range(3)]
    try:
        issue(live_server, "ahli_waris")
        clerk = Staff(live_server, "pelayanan2")
        started = time.monotonic()
        clerk.call_next(force=True)
        for d in displays:
            assert d.wait(lambda d=d: d.calls, 2), "a display did not get the call"
        latencies = [d.received_at[0] - started for d in displays]
        call = displays[0].calls[0]
        assert all(d.calls[0] == call for d in displays)  # the same payload, the same audio file
        assert call["text"] == "Nomor antrian, B satu, silakan menuju loket dua"
        audio = fetch_audio(live_server, call["audio"])
        audio_ready = time.monotonic() - started
        seconds, rms = measure(audio)
        chime_seconds, chime_rms = measure(fetch_audio(live_server, call["chime"]))
        print(f"\ncall -> 3 displays: {', '.join(f'{x * 1000:.0f} ms' for x in latencies)} "
              f"(HTTP call-next included); call -> audio file fetched: {audio_ready * 1000:.0f} ms; "
              f"speech {seconds:.2f} s rms {rms:.0f}; chime {chime_seconds:.2f} s")
        assert max(latencies) < 1.0
        assert audio_ready < 2.0
        assert 2.5 < seconds < 9 and rms > 1000
        assert 1.0 < chime_seconds < 2.0 and chime_rms > 1000
        assert "Audio saved to" not in live_server.log.read_text()
    finally:
        close_all(displays)


def test_a_burst_of_calls_reaches_three_displays_in_one_order_with_audio_for_each(live_server):
    need_espeak()
    for _ in range(5):
        issue(live_server, "ktp")          # A001-A005, loket 1
        issue(live_server, "ahli_waris")   # B001-B005, loket 2
    displays = [DisplayClient(live_server.url) for _ in range(3)]
    clerks = [Staff(live_server, "pelayanan1"), Staff(live_server, "pelayanan2")]
    try:
        def calls_five(clerk):
            for _ in range(5):
                clerk.call_next(force=True)

        threads = [threading.Thread(target=calls_five, args=(c,)) for c in clerks]  # two lokets at once
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        for d in displays:
            assert d.wait(lambda d=d: len(d.calls) >= 10, 10), f"only {len(d.calls)} calls arrived"
        orders = [[(c["number"], c["loket"]) for c in d.calls] for d in displays]
        assert orders[0] == orders[1] == orders[2], orders   # every display: the same order
        assert sorted(orders[0]) == [(f"A{n:03d}", 1) for n in range(1, 6)] + [(f"B{n:03d}", 2) for n in range(1, 6)]
        assert [n for n, _ in orders[0] if n[0] == "A"] == [f"A{n:03d}" for n in range(1, 6)]  # each loket in order
        # every announcement's audio, asked for at once as ten displays would: made once, all real
        audio: dict[str, bytes] = {}
        fetchers = [threading.Thread(target=lambda c=c: audio.__setitem__(c["number"], fetch_audio(live_server, c["audio"])))
                    for c in displays[0].calls]
        for t in fetchers:
            t.start()
        for t in fetchers:
            t.join(30)
        assert len(audio) == 10 and len(set(audio.values())) == 10
        for number, data in audio.items():
            seconds, rms = measure(data)
            assert 2.5 < seconds < 9 and rms > 1000, (number, seconds, rms)
        texts = [c["text"] for c in displays[0].calls]
        assert all(t.startswith("Nomor antrian, ") for t in texts) and len(set(texts)) == 10
    finally:
        close_all(displays)


def test_displays_recover_by_themselves_after_a_server_restart(live_server):
    need_espeak()
    displays = [DisplayClient(live_server.url) for _ in range(2)]
    try:
        issue(live_server, "ktp")
        issue(live_server, "ktp")
        Staff(live_server, "pelayanan1").call_next(force=True)
        assert all(d.wait(lambda d=d: d.calls, 3) for d in displays)
        before = [len(d.snapshots) for d in displays]
        live_server.stop(kill=True)
        live_server.start()
        restarted = time.monotonic()
        for d, n in zip(displays, before, strict=False):
            assert d.wait(lambda d=d, n=n: len(d.snapshots) > n, 10), "a display did not reconnect"
        recovered = time.monotonic() - restarted
        print(f"\ndisplays back with a fresh snapshot {recovered:.2f} s after the server was up again")
        for d in displays:
            snap = d.snapshots[-1]
            assert snap["recent"][0]["number"] == "A001" and snap["waiting"]["adminduk"] == 1
            assert snap["speech"]["available"] is True
        assert recovered < 5
        Staff(live_server, "pelayanan1").call_next(force=True)
        for d in displays:
            assert d.wait(lambda d=d: len(d.calls) == 2, 3)
            assert d.calls[-1]["number"] == "A002"
        seconds, rms = measure(fetch_audio(live_server, displays[0].calls[-1]["audio"]))
        assert seconds > 2.5 and rms > 1000
        # the phrase cache survived the restart: A001's file is still there, under the same name
        assert fetch_audio(live_server, displays[0].calls[0]["audio"])
    finally:
        close_all(displays)


@pytest.fixture
def mute_server(tmp_path):
    """A server whose Indonesian voice is missing: speech unavailable, everything else works."""
    server = LiveServer(tmp_path, {"ANTREAN_SPEECH_VOICE_ID": "no-such-voice"})
    server.create_demo()
    server.start()
    yield server
    server.stop()


def test_without_a_voice_the_server_says_so_and_displays_still_show_and_chime(mute_server):
    deadline = time.time() + 5
    while "speech" not in mute_server.log.read_text() and time.time() < deadline:
        time.sleep(0.1)
    log = mute_server.log.read_text()
    assert re.search(r"speech   : unavailable \(id: .*no-such-voice", log), log
    state = requests.get(f"{mute_server.url}/display/speech.json", timeout=5).json()
    assert state["available"] is False and "no-such-voice" in state["reason"]
    display = DisplayClient(mute_server.url)
    try:
        assert display.wait(lambda: display.snapshots, 3)
        assert display.snapshots[0]["speech"]["available"] is False
        issue(mute_server, "ktp")
        Staff(mute_server, "pelayanan1").call_next(force=True)
        assert display.wait(lambda: display.calls, 3)
        call = display.calls[0]
        assert call["number"] == "A001" and call["audio"] is None
        assert call["text"] == "Nomor antrian, A satu, silakan menuju loket satu"
        assert measure(fetch_audio(mute_server, call["chime"]))[1] > 1000
        assert "Traceback" not in mute_server.log.read_text()
    finally:
        close_all([display])


# -- the speaker agent -------------------------------------------------------------------------


class Agent:
    def __init__(self, server_url: str, tmp: Path, *args: str):
        tmp.mkdir(parents=True, exist_ok=True)
        self.wav_dir = tmp / "announced"
        self.log = tmp / "agent.log"
        self._fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "antrean.shared.cli.main", "speaker-agent", "--server", server_url,
             "--wav-dir", str(self.wav_dir), "--cache", str(tmp / "agent-cache"), *args],
            cwd=ROOT, stdout=self._fh, stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_log(self, needle: str, count: int = 1, timeout: float = 10) -> bool:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.text().count(needle) >= count:
                return True
            assert self.proc.poll() is None, self.text()
            time.sleep(0.05)
        return False

    def files(self) -> list[Path]:
        return sorted(self.wav_dir.glob("*.wav")) if self.wav_dir.exists() else []

    def wait_files(self, n: int, timeout: float = 10) -> list[Path]:
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.files()) < n:
            time.sleep(0.05)
        return self.files()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._fh.close()


def test_the_speaker_agent_speaks_every_call_in_order_and_comes_back_after_a_restart(live_server, tmp_path):
    need_espeak()
    agent = Agent(live_server.url, tmp_path / "id")
    # a second agent, in English, digit by digit, without the chime: its own options win
    english = Agent(live_server.url, tmp_path / "en", "--lang", "en", "--reading", "digits", "--no-chime")
    try:
        assert agent.wait_log("connected to") and english.wait_log("connected to"), agent.text()
        assert "speech : pyttsx3/espeak: id=poz/id" in agent.text()
        for service in ("ktp", "ktp", "ahli_waris"):
            issue(live_server, service)
        front1, front2 = Staff(live_server, "pelayanan1"), Staff(live_server, "pelayanan2")
        front1.call_next(force=True)
        front1.call_next(force=True)
        front2.call_next(force=True)
        files = agent.wait_files(3)
        assert [f.name for f in files] == ["0001-A001-call.wav", "0002-A002-call.wav", "0003-B001-call.wav"]
        for f in files:
            seconds, rms = measure(f.read_bytes())
            assert seconds > 1.0 + 2.5 and rms > 1000, (f.name, seconds, rms)  # the chime, then speech
        assert agent.wait_log("announced B001 (call) at Loket 2: Nomor antrian, B satu, silakan menuju loket dua")
        assert english.wait_log("announced A001 (call) at Loket 1: Queue number, A-zero zero one, "
                                "please proceed to counter one"), english.text()
        spoken = english.wait_files(3)
        assert [f.name for f in spoken] == ["0001-A001-call.wav", "0002-A002-call.wav", "0003-B001-call.wav"]
        seconds, rms = measure(spoken[0].read_bytes())
        assert 2.5 < seconds < 9 and rms > 1000  # no chime: speech only
        # a restart of the server: the agent reconnects by itself and goes on
        live_server.stop(kill=True)
        live_server.start()
        assert agent.wait_log("connected to", count=2, timeout=15), agent.text()
        issue(live_server, "ktp")
        front1 = Staff(live_server, "pelayanan1")
        front1.call_next(force=True)
        files = agent.wait_files(4)
        assert files[-1].name == "0004-A003-call.wav"
        front1.post("/counter/tickets/1/call", {"kind": "recall"})
        files = agent.wait_files(5)
        assert files[-1].name == "0005-A001-recall.wav"
        assert agent.wait_log("Panggilan ulang, nomor antrian, A satu")
        assert "Audio saved to" not in agent.text() and "Traceback" not in agent.text()
    finally:
        agent.stop()
        english.stop()

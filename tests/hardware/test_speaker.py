"""Speech for real: pyttsx3 + espeak-ng write WAV files that are measured, not assumed.

Every figure is taken from the file itself: duration = frames / rate, loudness as RMS and peak of
the 16-bit samples, and "voiced" seconds (20 ms windows louder than the noise floor).
"""
from __future__ import annotations

import math
import threading
import time
import wave
from types import SimpleNamespace

import pytest

from antrean.hardware.speech import (
    NullSynthesizer,
    Pyttsx3Synthesizer,
    SpeechUnavailable,
    ToneSynthesizer,
    prune_cache,
    select_voice,
    synthesizer_from_config,
    voiced_seconds,
    wav_info,
    write_chime,
)
from antrean.shared.domain.announce import phrase
from tests.support.env import need_espeak

pytestmark = pytest.mark.speech

def call(number, loket=2, kind="call"):
    return {"number": number, "prefix": number[0], "seq": int(number[1:]), "loket": loket,
            "loket_name": f"Loket {loket}", "kind": kind}


def expected_seconds(text: str, wpm: int) -> float:
    return len(text.replace(",", " ").split()) * 60.0 / wpm


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    need_espeak()
    s = Pyttsx3Synthesizer(tmp_path_factory.mktemp("audio"), rate=150)
    yield s
    s.close()


def zero_crossing_hz(samples, rate):
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


# -- real synthesis --------------------------------------------------------------------------

def test_espeak_ng_has_the_indonesian_voice(synth):
    assert synth.available("id") == (True, "poz/id")
    ok, voice = synth.available("en")
    assert ok and voice.startswith("gmw/en")
    assert "espeak" in synth.describe()


@pytest.mark.parametrize("lang,number,kind", [
    ("id", "A012", "call"), ("id", "B001", "pickup"), ("id", "C105", "recall"), ("id", "A999", "call"),
    ("en", "A012", "call"), ("en", "B001", "pickup"),
])
def test_real_announcements_are_non_silent_and_of_plausible_length(synth, lang, number, kind, capsys):
    text = phrase(call(number, kind=kind), lang)
    started = time.perf_counter()
    path = synth.synthesize(text, lang)
    took = time.perf_counter() - started
    assert "Audio saved to" not in capsys.readouterr().out  # pyttsx3's print is kept out
    info = wav_info(path)
    voiced = voiced_seconds(path)
    expected = expected_seconds(text, 150)
    print(f"\n{lang} {text!r}: synthesis {took * 1000:.0f} ms, {info.duration:.2f} s "
          f"(voiced {voiced:.2f} s, expected ~{expected:.2f} s), rms {info.rms:.0f}, peak {info.peak}")
    assert info.channels == 1 and info.sample_width == 2 and info.rate >= 16000
    assert 0.6 * expected <= info.duration <= 2.5 * expected + 1.0
    assert voiced >= 0.5 * expected            # mostly speech, not a click and silence
    assert info.rms > 1000 and info.peak > 8000  # loud enough to be heard over a hall
    assert took < 5.0


def test_longer_numbers_take_longer_to_say(synth):
    short = wav_info(synth.synthesize(phrase(call("A001")), "id")).duration
    long = wav_info(synth.synthesize(phrase(call("A999")), "id")).duration
    assert long > short + 0.5  # "sembilan ratus sembilan puluh sembilan" vs "satu"


def test_a_repeated_phrase_costs_nothing(synth):
    text = phrase(call("D042"), "id")
    first = synth.synthesize(text, "id")
    rendered, mtime = synth.rendered, first.stat().st_mtime_ns
    started = time.perf_counter()
    again = synth.synthesize(text, "id")
    took = time.perf_counter() - started
    assert again == first and synth.rendered == rendered and first.stat().st_mtime_ns >= mtime
    assert took < 0.05
    assert synth.key(text, "id") == first.stem
    assert synth.key(text, "en") != first.stem and synth.key(text + ".", "id") != first.stem


def test_many_threads_at_once_get_every_file_right(synth):
    """pyttsx3's engine is shared and unsafe across threads: the worker serialises the jobs."""
    texts = [phrase(call(f"E{n:03d}", loket=n % 3 + 1), "id") for n in range(1, 25)]
    results: dict[str, object] = {}

    def worker(chunk):
        futures = [(t, synth.submit(t, "id")) for t in chunk]
        for t, f in futures:
            results[t] = f.result(30)

    threads = [threading.Thread(target=worker, args=(texts[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == sorted(texts)
    assert len({p for p in results.values()}) == len(texts)
    for text, path in results.items():
        info = wav_info(path)
        assert info.rms > 1000 and 0.6 * expected_seconds(text, 150) <= info.duration < 10, (text, info)


def test_the_same_phrase_asked_twice_at_once_is_made_once(tmp_path):
    tone = ToneSynthesizer(tmp_path, delay=0.2)
    a, b = tone.submit("sama", "id"), tone.submit("sama", "id")
    assert a is b and a.result(5) == b.result(5)
    assert tone.rendered == 1
    tone.close()


def test_speaking_rate_changes_the_length(tmp_path):
    need_espeak()
    text = phrase(call("A012"), "id")
    slow = Pyttsx3Synthesizer(tmp_path / "slow", rate=110)
    slow_s = wav_info(slow.synthesize(text, "id")).duration
    slow.close()
    fast = Pyttsx3Synthesizer(tmp_path / "fast", rate=220)
    fast_s = wav_info(fast.synthesize(text, "id")).duration
    fast.close()
    assert slow_s > fast_s * 1.3, (slow_s, fast_s)


# -- no speech: said, never a crash ------------------------------------------------------------

def test_a_missing_voice_is_reported_not_raised(tmp_path):
    need_espeak()
    s = Pyttsx3Synthesizer(tmp_path, voices={"id": "no-such-voice"})
    ok, why = s.available("id")
    assert not ok and "no-such-voice" in why
    assert s.available("en")[0]  # English still works
    with pytest.raises(SpeechUnavailable):
        s.synthesize("Nomor antrian, A satu", "id")
    assert s.submit("x", "id").exception(1) is not None
    s.close()


def test_a_missing_engine_is_reported_not_raised(tmp_path):
    s = Pyttsx3Synthesizer(tmp_path, driver="no_such_driver")
    ok, why = s.available("id")
    assert not ok and "speech engine" in why
    assert "unavailable" in s.describe()
    with pytest.raises(SpeechUnavailable):
        s.synthesize("Nomor antrian, A satu", "id")
    s.close()


def test_speech_switched_off_and_unknown_modes(tmp_path):
    off = synthesizer_from_config("off", tmp_path)
    assert isinstance(off, NullSynthesizer) and off.available("id")[0] is False
    assert "ANTREAN_SPEECH=off" in off.available("id")[1]
    with pytest.raises(SpeechUnavailable):
        off.synthesize("x")
    odd = synthesizer_from_config("loud", tmp_path)
    assert not odd.available()[0] and "loud" in odd.available()[1]
    assert isinstance(synthesizer_from_config("tone", tmp_path), ToneSynthesizer)
    assert isinstance(synthesizer_from_config("on", tmp_path), Pyttsx3Synthesizer)


def test_empty_text_is_refused(tmp_path):
    tone = ToneSynthesizer(tmp_path)
    with pytest.raises(ValueError):
        tone.synthesize("   ", "id")
    tone.close()


# -- voices on other systems (SAPI5 on Windows reports id-ID) ------------------------------------

def voice(id, name, languages):
    return SimpleNamespace(id=id, name=name, languages=languages)


def test_voice_selection():
    espeak = [voice("gmw/en", "English (Great Britain)", ["en-gb"]), voice("mb/mb-id1", "indonesian-mbrola-1", ["id"]),
              voice("poz/id", "Indonesian", ["id"]), voice("gmw/en-us", "English (America)", ["en-us"])]
    assert select_voice(espeak, "id") == "poz/id"
    assert select_voice(espeak, "en") == "gmw/en"
    sapi = [voice(r"HKEY_LOCAL_MACHINE\...\TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop", ["en-US"]),
            voice(r"HKEY_LOCAL_MACHINE\...\TTS_MS_ID-ID_ANDIKA_11.0", "Microsoft Andika", ["id-ID"])]
    assert select_voice(sapi, "id").endswith("ANDIKA_11.0")
    assert select_voice(sapi, "en").endswith("ZIRA_11.0")
    assert select_voice([voice("x", "Microsoft Gadis", ["Unknown Locale: 0"])], "id") == "x"
    assert select_voice(sapi[:1], "id") is None
    assert select_voice(espeak, "id", wanted="mb/mb-id1") == "mb/mb-id1"   # asked for by name
    assert select_voice(espeak, "id", wanted="Indonesian") == "poz/id"
    assert select_voice(espeak, "id", wanted="nope") is None


# -- the chime, the test double, the cache ------------------------------------------------------

def test_the_chime_is_two_pleasant_tones(tmp_path):
    from antrean.hardware.speech.wav import _samples

    path = write_chime(tmp_path / "chime.wav")
    info = wav_info(path)
    assert 1.0 <= info.duration <= 1.4 and info.peak > 15000 and info.rms > 2000
    _params, samples = _samples(path)
    first = samples[int(0.05 * info.rate):int(0.35 * info.rate)]
    second = samples[int(0.55 * info.rate):int(0.85 * info.rate)]
    assert math.isclose(zero_crossing_hz(first, info.rate), 659.25, rel_tol=0.05)   # E5 ...
    assert math.isclose(zero_crossing_hz(second, info.rate), 523.25, rel_tol=0.05)  # ... then C5
    mtime = path.stat().st_mtime_ns
    write_chime(path)
    assert path.stat().st_mtime_ns == mtime  # made once


def test_tone_double_writes_real_short_wavs(tmp_path):
    tone = ToneSynthesizer(tmp_path, seconds=0.3)
    path = tone.synthesize("Nomor antrian, A satu", "id")
    info = wav_info(path)
    assert abs(info.duration - 0.3) < 0.01 and info.rms > 1000
    assert tone.texts == [("id", "Nomor antrian, A satu")]
    with wave.open(str(path)) as w:
        assert w.getframerate() == 22050
    tone.close()


def test_prune_removes_old_phrases_and_leftovers_but_keeps_the_chime(tmp_path):
    import os

    old, fresh, chime, tmp = (tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "chime.wav", tmp_path / ".x.tmp")
    for p in (old, fresh, chime, tmp):
        p.write_bytes(b"x")
    long_ago = time.time() - 40 * 86400
    for p in (old, chime, tmp):
        os.utime(p, (long_ago, long_ago))
    assert prune_cache(tmp_path) == 2
    assert not old.exists() and not tmp.exists() and fresh.exists() and chime.exists()



def test_a_long_day_of_calls_keeps_the_phrase_cache_within_its_limit(tmp_path):
    """Every call's phrase differs, so the cache grows with each new number: above its limit the
    least recently used phrases go, a phrase announced again is kept, and the chime stays."""
    import os

    write_chime(tmp_path / "chime.wav")
    tone = ToneSynthesizer(tmp_path, seconds=0.3)
    one = tone.path(tone.key("Nomor antrian, A 1", "id"))
    tone.synthesize("Nomor antrian, A 1", "id")
    size = one.stat().st_size
    tone.max_cache_bytes = 20 * size  # the chime counts too (about 4 phrases' worth)
    older = time.time() - 3600
    os.utime(one, (older, older))
    first_ten = []
    for n in range(2, 41):
        text = f"Nomor antrian, A {n}"
        first_ten.append(tone.path(tone.key(text, "id"))) if n <= 10 else None
        time.sleep(0.01)  # calls come seconds apart; file times are only as fine as the kernel's tick
        tone.synthesize(text, "id")
        if n % 5 == 0:
            time.sleep(0.01)
            tone.synthesize("Nomor antrian, A 2", "id")  # A 2 is recalled now and then: used recently
        assert sum(p.stat().st_size for p in tmp_path.glob("*.wav")) <= 20 * size
    assert (tmp_path / "chime.wav").exists()
    assert tone.path(tone.key("Nomor antrian, A 40", "id")).exists()   # the newest
    assert tone.path(tone.key("Nomor antrian, A 2", "id")).exists()    # recalled, so kept
    assert not one.exists()                                            # the oldest unused went first
    assert not any(p.exists() for p in first_ten[1:])                 # A 3..A 10: not used since
    assert tone.rendered == 40
    tone.close()


def test_the_phrase_cache_limit_comes_from_the_configuration(tmp_path):
    assert synthesizer_from_config("tone", tmp_path, cache_mb=3).max_cache_bytes == 3 * 1024 * 1024

# -- the speaker agent's own logic (no server: the socket events are fed in by hand) --------------

def make_call(number, at, kind="call", loket=1):
    return {"ticket_id": int(number[1:]), "number": number, "prefix": number[0], "seq": int(number[1:]),
            "loket": loket, "loket_name": f"Loket {loket}", "kind": kind, "at": at,
            "announce": [{"lang": "id", "text": phrase(call(number, loket, kind), "id"), "audio": "/x.wav"}]}


def test_the_agent_announces_in_order_once_and_catches_up_after_a_reconnect(tmp_path):
    from antrean.hardware.agents.speaker_agent import SpeakerAgent, WavDirOutput

    tone = ToneSynthesizer(tmp_path / "cache", seconds=0.2)
    chime = write_chime(tmp_path / "cache" / "chime.wav")
    done = []
    agent = SpeakerAgent("http://127.0.0.1:9", tone, WavDirOutput(tmp_path / "out"), chime,
                         on_announced=lambda c, parts, result: done.append((c["number"], result.name)))
    old = make_call("A001", "2026-11-24T08:00:00+07:00")
    # python-socketio delivers the snapshot sent by the server's connect handler before "connect"
    agent._on_snapshot({"recent": [old], "at": "2026-11-24T08:00:30+07:00"})  # called before: not news
    agent._on_connect()
    agent._on_call(make_call("A002", "2026-11-24T08:01:00+07:00"))
    agent._on_call(make_call("A002", "2026-11-24T08:01:00+07:00"))           # delivered twice: once
    agent._on_call(make_call("B001", "2026-11-24T08:01:05+07:00", loket=2))
    # offline for a while; on reconnection the snapshot holds two calls made meanwhile and an old one
    agent._on_disconnect()
    missed = [make_call("A004", "2026-11-24T08:02:10+07:00", kind="recall"),
              make_call("A003", "2026-11-24T08:02:00+07:00")]
    stale = make_call("A000", "2026-11-24T07:50:00+07:00")
    agent._on_snapshot({"recent": [*missed, make_call("B001", "2026-11-24T08:01:05+07:00", loket=2), stale],
                        "at": "2026-11-24T08:02:20+07:00"})
    agent._on_connect()
    agent._on_snapshot({"recent": missed, "at": "2026-11-24T08:02:25+07:00"})  # later ones: no repeats
    while not agent.calls.empty():
        agent.announce(agent.calls.get())
    assert done == [("A002", "0001-A002-call.wav"), ("B001", "0002-B001-call.wav"),
                    ("A003", "0003-A003-call.wav"), ("A004", "0004-A004-recall.wav")]
    joined = wav_info(tmp_path / "out" / "0001-A002-call.wav")
    assert abs(joined.duration - (wav_info(chime).duration + 0.25 + 0.2)) < 0.02  # chime, pause, speech
    assert [t for _lang, t in tone.texts][:2] == ["Nomor antrian, A dua, silakan menuju loket satu",
                                                 "Nomor antrian, B satu, silakan menuju loket dua"]
    tone.close()


def test_the_agent_builds_its_own_sentences_when_told_and_chimes_when_speech_fails(tmp_path):
    from antrean.hardware.agents.speaker_agent import SpeakerAgent, WavDirOutput

    out = WavDirOutput(tmp_path / "out")
    chime = write_chime(tmp_path / "chime.wav")
    agent = SpeakerAgent("http://127.0.0.1:9", ToneSynthesizer(tmp_path / "c"), out, chime,
                         lang="id+en", reading="digits")
    c = make_call("C105", "2026-11-24T08:00:00+07:00", loket=3)
    assert agent.sentences(c) == [("Nomor antrian, C satu nol lima, silakan menuju loket tiga", "id"),
                                  ("Queue number, C-one zero five, please proceed to counter three", "en")]
    mute = SpeakerAgent("http://127.0.0.1:9", NullSynthesizer("no voice"), out, chime)
    assert mute.sentences(c) == [(c["announce"][0]["text"], "id")]   # the server's sentence
    mute.announce(c)                                                  # speech fails: the chime alone
    only = wav_info(sorted((tmp_path / "out").glob("*.wav"))[-1])
    assert abs(only.duration - wav_info(chime).duration) < 0.01
    with pytest.raises(ValueError):
        SpeakerAgent("http://127.0.0.1:9", NullSynthesizer("x"), out, chime, lang="fr")

"""Speech: a sentence -> a WAV file, cached by phrase, behind one small interface. No Flask here.

``Pyttsx3Synthesizer`` is the real one: pyttsx3 with espeak-ng's Indonesian voice on Linux
(``poz/id``) and SAPI5 on Windows (an Indonesian voice when one is installed, such as
"Microsoft Andika"). ``pyttsx3.init()`` hands out one engine per process that is not safe across
threads (two threads at once lose a file), so ONE worker thread owns it and takes jobs from a
queue; callers get a ``concurrent.futures.Future``. Under ``antrean serve`` gevent has patched
``threading``, so that worker is a greenlet: the ~10 ms of espeak-ng work per phrase runs in it and
every wait on it yields.

Files are cached under the instance folder (``<instance>/audio/``), named by a hash of the engine,
voice, rate, language and text, written to a temporary name and renamed, so a repeated phrase
costs nothing and no reader ever sees half a file.

``ToneSynthesizer`` (a short real WAV tone per phrase) is the test double, ``NullSynthesizer``
stands for "no speech here" (chime only). ``write_chime`` makes the two-tone chime, ``wav_info``
measures a WAV (duration, RMS, peak).
"""
from __future__ import annotations

import errno
import hashlib
import logging
import math
import os
import queue
import secrets
import shutil
import sys
import threading
import time
import wave
from array import array
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

RATE_HZ = 22050                # espeak-ng's sample rate; the chime and the test tones use it too
DEFAULT_WPM = 150              # words per minute: a little slower than espeak-ng's 175, for a hall
LANG_NAMES = {"id": "Indonesian", "en": "English"}
# espeak-ng voices to prefer per language (pyttsx3 voice ids are espeak-ng's voice files)
PREFERRED_VOICES = {"id": ("poz/id",), "en": ("gmw/en", "gmw/en-us")}
KEEP_DAYS = 30                 # cached phrases not used for this long are removed at start-up
# A sentence is ~0.3 MB of WAV. With less free space than this nothing is synthesised: pyttsx3's
# espeak driver, told to write onto a full disk, raises inside espeak's callback and then never
# finishes (measured with espeak-ng 1.51), which would stop every later announcement.
MIN_FREE_BYTES = 2 * 1024 * 1024
# pyttsx3.init() returns ONE engine per process (per driver): whoever uses it, one phrase at a time
_ENGINE_LOCK = threading.Lock()


class SpeechUnavailable(RuntimeError):
    """Speech cannot be made here (no engine, no voice for the language, speech switched off)."""


class Synthesizer(Protocol):
    name: str

    def start(self) -> None: ...

    def close(self) -> None: ...

    def describe(self) -> str:
        """What speaks, e.g. ``"pyttsx3/espeak: id=poz/id, en=gmw/en, 150 wpm"``."""

    def available(self, lang: str = "id") -> tuple[bool, str]:
        """(True, voice) or (False, why not). Never raises."""

    def key(self, text: str, lang: str = "id") -> str:
        """The cache key (file stem) of a phrase: equal keys, equal audio."""

    def path(self, key: str) -> Path:
        """Where the WAV of a key is (or will be)."""

    def submit(self, text: str, lang: str = "id") -> Future[Path]:
        """Synthesise off the caller's thread; the future's result is the WAV path."""

    def synthesize(self, text: str, lang: str = "id", timeout: float = 30.0) -> Path:
        """Synthesise (or take from the cache) and return the WAV path."""


# -- WAV helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavInfo:
    frames: int
    rate: int
    channels: int
    sample_width: int
    rms: float          # of 16-bit samples (0..32767)
    peak: int

    @property
    def duration(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def _samples(path: Path) -> tuple[wave._wave_params, array]:
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        data = w.readframes(params.nframes)
    if params.sampwidth != 2:
        raise ValueError(f"{path.name}: only 16-bit WAV files are measured")
    samples = array("h")
    samples.frombytes(data[: len(data) - len(data) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return params, samples


def wav_info(path: Path | str) -> WavInfo:
    """Measure a 16-bit PCM WAV file: length, RMS and peak amplitude."""
    params, samples = _samples(Path(path))
    n = len(samples)
    rms = math.sqrt(sum(s * s for s in samples) / n) if n else 0.0
    peak = max((abs(s) for s in samples), default=0)
    return WavInfo(params.nframes, params.framerate, params.nchannels, params.sampwidth, rms, peak)


def voiced_seconds(path: Path | str, threshold: float = 500.0, window: float = 0.02) -> float:
    """Seconds of the file whose windowed RMS is above ``threshold`` (speech, not silence)."""
    params, samples = _samples(Path(path))
    step = max(1, int(params.framerate * params.nchannels * window))
    loud = 0
    for i in range(0, len(samples), step):
        chunk = samples[i:i + step]
        if chunk and math.sqrt(sum(s * s for s in chunk) / len(chunk)) > threshold:
            loud += 1
    return loud * window


def _write_wav_atomic(path: Path, frames: bytes, rate: int = RATE_HZ, channels: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    os.replace(tmp, path)
    return path


def _tones(notes: Iterable[tuple[float, float, float]], rate: int = RATE_HZ) -> bytes:
    """Bell-like notes: (frequency Hz, seconds, amplitude 0..1), each with a soft attack and decay."""
    out = array("h")
    for freq, seconds, amp in notes:
        n = int(rate * seconds)
        attack = max(1, int(rate * 0.008))
        for i in range(n):
            t = i / rate
            env = min(1.0, i / attack) * math.exp(-3.2 * t / seconds)
            if freq <= 0:
                v = 0.0
            else:  # a fundamental with a quieter octave and twelfth: a soft "ding"
                v = (math.sin(2 * math.pi * freq * t) + 0.35 * math.sin(4 * math.pi * freq * t)
                     + 0.12 * math.sin(6 * math.pi * freq * t)) / 1.47
            out.append(int(max(-1.0, min(1.0, v * env * amp)) * 32767))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


CHIME_NOTES = ((659.25, 0.45, 0.7), (523.25, 0.7, 0.7))   # E5 then C5: "ding-dong", 1.15 s


def chime_frames(rate: int = RATE_HZ) -> bytes:
    return _tones(CHIME_NOTES, rate)


def write_chime(path: Path | str, rate: int = RATE_HZ) -> Path:
    """Write the two-tone chime played before every announcement (made here: no audio files to ship)."""
    path = Path(path)
    frames = chime_frames(rate)
    if path.exists():
        try:
            with wave.open(str(path), "rb") as w:
                if w.getframerate() == rate and w.getnframes() * 2 == len(frames):
                    return path
        except (wave.Error, EOFError, OSError):
            pass
    return _write_wav_atomic(path, frames, rate)


def silence_frames(seconds: float, rate: int = RATE_HZ) -> bytes:
    return b"\x00\x00" * int(rate * seconds)


def prune_cache(folder: Path, keep_days: float = KEEP_DAYS) -> int:
    """Remove cached phrases unused for ``keep_days`` and leftovers of interrupted writes."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - keep_days * 86400
    removed = 0
    for p in folder.iterdir():
        try:
            stale_tmp = p.suffix == ".tmp" and p.stat().st_mtime < time.time() - 600
            old = p.suffix == ".wav" and p.stem != "chime" and p.stat().st_mtime < cutoff
            if stale_tmp or old:
                p.unlink()
                removed += 1
        except OSError:
            pass
    return removed


# -- the synthesizers ------------------------------------------------------------------------


class _WorkerSynthesizer:
    """The cache, the job queue and the one worker thread; subclasses render one phrase."""

    name = "base"

    def __init__(self, cache_dir: Path | str, rate: int = DEFAULT_WPM):
        self.cache_dir = Path(cache_dir)
        self.rate = int(rate)
        self._jobs: queue.Queue = queue.Queue()
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._ready: Future = Future()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.rendered = 0           # phrases actually synthesised (not taken from the cache)
        self.last_error: str | None = None  # the last failed write (a full disk), until one succeeds
        self.last_seconds = 0.0     # how long the last one took

    # the worker side: subclasses override these two
    def _open(self) -> dict[str, str]:
        """Runs in the worker first; returns {lang: voice id} for the languages it can speak."""
        return {}

    def _render(self, text: str, lang: str, tmp: Path) -> None:
        raise NotImplementedError

    def _voice_unavailable(self, lang: str) -> str:
        return f"no {LANG_NAMES.get(lang, lang)} voice"

    # lifecycle
    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self._closed:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                self._thread = threading.Thread(target=self._run, name=f"antrean-speech-{self.name}",
                                                daemon=True)
                self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self._closed = True
        if self._thread is not None:
            self._jobs.put(None)
            if self._thread is not threading.current_thread():
                self._thread.join(timeout)

    def _voices(self, timeout: float = 15.0) -> dict[str, str]:
        self.start()
        try:
            result = self._ready.result(timeout)
        except Exception:
            return {}
        return result

    def available(self, lang: str = "id") -> tuple[bool, str]:
        self.start()
        try:
            voices = self._ready.result(15.0)
        except Exception as exc:  # the engine itself failed to start
            return False, _reason(exc)
        if lang not in voices:
            return False, self._voice_unavailable(lang)
        return True, voices[lang]

    def describe(self) -> str:
        self.start()
        try:
            voices = self._ready.result(15.0)
        except Exception as exc:
            return f"{self.name}: unavailable ({_reason(exc)})"
        shown = ", ".join(f"{lang}={v}" for lang, v in voices.items()) or "no voices"
        return f"{self.name}: {shown}, {self.rate} wpm"

    def key(self, text: str, lang: str = "id") -> str:
        text = " ".join(str(text).split())
        voice = self._voices().get(lang, "-")
        raw = f"{self.name}|{voice}|{self.rate}|{lang}|{text}".encode()
        return hashlib.sha256(raw).hexdigest()[:32]

    def path(self, key: str) -> Path:
        return self.cache_dir / f"{key}.wav"

    def submit(self, text: str, lang: str = "id") -> Future[Path]:
        text = " ".join(str(text).split())
        ok, why = self.available(lang)
        if not text:
            return _failed(ValueError("nothing to say"))
        if not ok:
            return _failed(SpeechUnavailable(why))
        key = self.key(text, lang)
        path = self.path(key)
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:
                return pending
            if path.exists():
                _touch(path)
                done: Future = Future()
                done.set_result(path)
                return done
            fut: Future = Future()
            self._pending[key] = fut
        self._jobs.put((text, lang, key, fut))
        return fut

    def synthesize(self, text: str, lang: str = "id", timeout: float = 30.0) -> Path:
        return self.submit(text, lang).result(timeout)

    def _run(self) -> None:
        try:
            voices = self._open()
        except Exception as exc:
            log.warning("speech engine %s could not start: %s", self.name, _reason(exc))
            self._ready.set_exception(SpeechUnavailable(_reason(exc)))
            voices = None
        else:
            self._ready.set_result(voices)
        while True:
            job = self._jobs.get()
            if job is None:
                return
            text, lang, key, fut = job
            try:
                if voices is None:
                    raise SpeechUnavailable("the speech engine did not start")
                path = self.path(key)
                if not path.exists():
                    _check_free_space(self.cache_dir)
                    tmp = path.with_name(f".{key}.{secrets.token_hex(4)}.tmp")
                    started = time.perf_counter()
                    try:
                        self._render(text, lang, tmp)
                        _check_wav(tmp)
                        os.replace(tmp, path)
                    finally:
                        if tmp.exists():
                            tmp.unlink()
                    self.last_seconds = time.perf_counter() - started
                    self.rendered += 1
                    log.debug("synthesised %r (%s) in %.0f ms", text, lang, self.last_seconds * 1000)
                result: Path | BaseException = path
                self.last_error = None
            except OSError as exc:  # the cache folder cannot be written: a full disk, a lost share
                self.last_error = f"cannot write {self.cache_dir}: {_reason(exc)}"
                log.error("speech cache: %s (displays chime only until it can)", self.last_error)
                result = exc
            except Exception as exc:
                log.warning("speech failed for %r (%s): %s", text, lang, _reason(exc))
                result = exc
            with self._lock:
                self._pending.pop(key, None)
            if isinstance(result, BaseException):
                fut.set_exception(result)
            else:
                fut.set_result(result)


class Pyttsx3Synthesizer(_WorkerSynthesizer):
    """pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeechSynthesizer on macOS), one worker thread."""

    def __init__(self, cache_dir: Path | str, rate: int = DEFAULT_WPM,
                 voices: dict[str, str] | None = None, driver: str | None = None):
        super().__init__(cache_dir, rate)
        self.wanted = {k: v for k, v in (voices or {}).items() if v}
        self.driver = driver
        self.name = "pyttsx3"
        self._engine = None
        self._errors: list[BaseException] = []
        self._espeak = None

    def _open(self) -> dict[str, str]:
        if sys.platform == "win32":  # SAPI5 is COM: this thread needs its own apartment
            try:
                import comtypes

                comtypes.CoInitialize()
            except Exception:  # pragma: no cover - Windows only
                log.debug("CoInitialize failed", exc_info=True)
        try:
            import pyttsx3
        except ImportError as exc:
            raise SpeechUnavailable(f"pyttsx3 is not installed ({exc})") from None
        try:
            engine = pyttsx3.init(self.driver) if self.driver else pyttsx3.init()
        except Exception as exc:
            hint = " (install espeak-ng)" if sys.platform.startswith("linux") else ""
            raise SpeechUnavailable(f"pyttsx3 could not start a speech engine{hint}: {_reason(exc)}") from None
        _quiet_driver_prints()
        driver_name = type(engine.proxy._driver).__module__.rsplit(".", 1)[-1]
        self.name = f"pyttsx3/{driver_name}"
        engine.connect("error", lambda name=None, exception=None, **_kw: self._errors.append(exception))
        engine.setProperty("rate", self.rate)
        engine.setProperty("volume", 1.0)
        installed = list(engine.getProperty("voices") or [])
        chosen: dict[str, str] = {}
        for lang in ("id", "en"):
            vid = select_voice(installed, lang, self.wanted.get(lang))
            if vid is not None:
                chosen[lang] = vid
        if not installed:
            raise SpeechUnavailable("the speech engine has no voices")
        self._engine = engine
        self._espeak = sys.modules.get("pyttsx3.drivers._espeak") if driver_name == "espeak" else None
        return chosen

    def _voice_unavailable(self, lang: str) -> str:
        wanted = self.wanted.get(lang)
        if wanted:
            return f"voice {wanted!r} for {LANG_NAMES.get(lang, lang)} is not installed"
        if lang == "id" and sys.platform.startswith("linux"):
            return "no Indonesian voice (espeak-ng's poz/id; install espeak-ng)"
        return f"no {LANG_NAMES.get(lang, lang)} voice installed"

    def _render(self, text: str, lang: str, tmp: Path) -> None:
        with _ENGINE_LOCK:
            self._render_locked(text, lang, tmp)

    def _render_locked(self, text: str, lang: str, tmp: Path) -> None:
        engine = self._engine
        self._errors.clear()
        # the engine is per process: set voice and rate every time, another synthesizer may share it
        engine.setProperty("voice", self._voices()[lang])
        engine.setProperty("rate", self.rate)
        for attempt in (1, 2, 3):
            self._settle()
            engine.save_to_file(text, str(tmp))
            engine.runAndWait()
            self._settle()
            if self._errors:
                raise SpeechUnavailable(f"the speech engine failed: {_reason(self._errors[0])}")
            try:
                _check_wav(tmp)
                return
            except SpeechUnavailable as exc:
                # pyttsx3's espeak driver synthesises in espeak-ng's own thread and can take a late
                # callback of the previous phrase for the end of this one (an empty file): again
                log.info("speech attempt %d for %r gave no audio (%s); retrying", attempt, text, exc)
        raise SpeechUnavailable("the speech engine wrote no audio three times")

    def _settle(self) -> None:
        """Wait until espeak-ng has delivered every callback (its synthesis runs in its own thread)."""
        if self._espeak is not None:
            self._espeak.Synchronize()


class ToneSynthesizer(_WorkerSynthesizer):
    """Test double: a real, short WAV tone per phrase (pitch from the text), no speech engine."""

    name = "tone"

    def __init__(self, cache_dir: Path | str, seconds: float = 0.3, langs: tuple[str, ...] = ("id", "en"),
                 delay: float = 0.0):
        super().__init__(cache_dir, rate=DEFAULT_WPM)
        self.seconds = seconds
        self.langs = langs
        self.delay = delay
        self.texts: list[tuple[str, str]] = []   # what was rendered, in order

    def _open(self) -> dict[str, str]:
        return {lang: f"tone-{lang}" for lang in self.langs}

    def _render(self, text: str, lang: str, tmp: Path) -> None:
        if self.delay:
            time.sleep(self.delay)
        digest = hashlib.sha256(f"{lang}|{text}".encode()).digest()
        freq = 300.0 + digest[0] * 2.0
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE_HZ)
            w.writeframes(_tones([(freq, self.seconds, 0.5)]))
        self.texts.append((lang, text))


class NullSynthesizer:
    """No speech: every phrase is refused with the reason; the display still chimes."""

    name = "none"

    def __init__(self, reason: str, cache_dir: Path | str | None = None):
        self.reason = reason
        self.cache_dir = Path(cache_dir) if cache_dir else None

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"none ({self.reason})"

    def available(self, lang: str = "id") -> tuple[bool, str]:
        return False, self.reason

    def key(self, text: str, lang: str = "id") -> str:
        return hashlib.sha256(f"none|{lang}|{text}".encode()).hexdigest()[:32]

    def path(self, key: str) -> Path:
        return (self.cache_dir or Path(".")) / f"{key}.wav"

    def submit(self, text: str, lang: str = "id") -> Future[Path]:
        return _failed(SpeechUnavailable(self.reason))

    def synthesize(self, text: str, lang: str = "id", timeout: float = 30.0) -> Path:
        raise SpeechUnavailable(self.reason)


def synthesizer_from_config(mode: str, cache_dir: Path, rate: int = DEFAULT_WPM,
                            voices: dict[str, str] | None = None) -> Synthesizer:
    """``on`` (pyttsx3), ``off`` (no speech, chime only) or ``tone`` (test tones instead of words)."""
    mode = (mode or "on").strip().lower()
    if mode in ("on", "pyttsx3", "auto", "1", "true", "yes"):
        return Pyttsx3Synthesizer(cache_dir, rate=rate, voices=voices)
    if mode == "tone":
        return ToneSynthesizer(cache_dir)
    if mode in ("off", "none", "0", "false", "no"):
        return NullSynthesizer("speech is switched off (ANTREAN_SPEECH=off)", cache_dir)
    return NullSynthesizer(f"unknown ANTREAN_SPEECH value {mode!r} (on, off or tone)", cache_dir)


# -- voices ----------------------------------------------------------------------------------


def _langs_of(voice) -> list[str]:
    out = []
    for lang in getattr(voice, "languages", None) or []:
        if isinstance(lang, bytes):
            lang = lang.decode("utf-8", "ignore")
        out.append(str(lang).strip().lower().replace("_", "-"))
    return out


def select_voice(voices: list, lang: str, wanted: str | None = None) -> str | None:
    """The id of the best installed voice for ``lang`` (``id`` or ``en``), or None.

    ``wanted`` (a voice id, or part of a name) wins when installed. Otherwise: espeak-ng's own voice
    for the language (``poz/id``, ``gmw/en``), then any voice whose language is ``lang`` or
    ``lang-XX`` (SAPI5 reports ``id-ID``), then a voice named after the language ("Indonesian",
    "Andika"/"Gadis" are Microsoft's Indonesian voices). MBROLA voices (``mb/...``) are skipped:
    they need extra data files that are rarely installed.
    """
    if wanted:
        w = wanted.lower()
        for match in (lambda v: v.id.lower() == w, lambda v: (v.name or "").lower() == w,
                      lambda v: w in (v.name or "").lower()):
            found = [v for v in voices if match(v)]
            found.sort(key=lambda v: v.id.lower().startswith("mb/"))
            if found:
                return found[0].id
        return None
    ids = {v.id.lower(): v.id for v in voices}
    for pref in PREFERRED_VOICES.get(lang, ()):
        if pref in ids:
            return ids[pref]
    usable = [v for v in voices if not v.id.lower().startswith("mb/")]
    for v in usable:
        if lang in _langs_of(v):
            return v.id
    for v in usable:
        if any(code.split("-")[0] == lang for code in _langs_of(v)):
            return v.id
    names = {"id": ("indonesia", "andika", "gadis", "bahasa"), "en": ("english",)}[lang] if lang in ("id", "en") else ()
    for v in usable:
        text = f"{v.name or ''} {v.id}".lower()
        if any(n in text for n in names):
            return v.id
    return None


# -- helpers ---------------------------------------------------------------------------------


def _quiet_driver_prints() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." (and playback errors) to stdout: silence
    those. Only that module's ``print`` is replaced."""
    module = sys.modules.get("pyttsx3.drivers.espeak")
    if module is not None:
        # a no-op, not a log call: espeak-ng calls back from its own thread, where the gevent-patched
        # locks of the logging module must not be taken
        module.print = _no_print


def _no_print(*_args, **_kw) -> None:
    return None


def _check_wav(path: Path) -> None:
    if not path.exists():
        raise SpeechUnavailable("the speech engine wrote no file")
    try:
        with wave.open(str(path), "rb") as w:
            frames = w.getnframes()
    except (wave.Error, EOFError) as exc:
        raise SpeechUnavailable(f"the speech engine wrote a broken WAV file: {exc}") from None
    if frames == 0:
        raise SpeechUnavailable("the speech engine wrote an empty WAV file")


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _failed(exc: BaseException) -> Future:
    fut: Future = Future()
    fut.set_exception(exc)
    return fut


def _check_free_space(folder: Path) -> None:
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({free // 1024} KiB free)", str(folder))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def measure(synth: Synthesizer, texts: Iterable[tuple[str, str]]) -> list[tuple[str, float, WavInfo]]:
    """Synthesise each (text, lang) and return (text, seconds taken, measured WAV); for bench/ and tests."""
    out = []
    for text, lang in texts:
        started = time.perf_counter()
        path = synth.synthesize(text, lang)
        out.append((text, time.perf_counter() - started, wav_info(path)))
    return out


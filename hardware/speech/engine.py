"""The real speech engine: pyttsx3 in one worker thread, its voice selection, and ``synthesizer_from_config``.

``Pyttsx3Synthesizer`` is the real one: pyttsx3 with espeak-ng's Indonesian voice on Linux
(``poz/id``) and SAPI5 on Windows (an Indonesian voice when one is installed, such as
"Microsoft Andika"). ``pyttsx3.init()`` hands out one engine per process that is not safe across
threads (two threads at once lose a file), so ONE worker thread owns it and takes jobs from a
queue; callers get a ``concurrent.futures.Future``. Under ``antrean serve`` gevent has patched
``threading``, so that worker is a greenlet: the ~10 ms of espeak-ng work per phrase runs in it and
every wait on it yields.
"""
from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from antrean.hardware.speech.base import (
    DEFAULT_WPM,
    LANG_NAMES,
    SpeechUnavailable,
    Synthesizer,
    WorkerSynthesizer,
    check_wav,
    reason,
)
from antrean.hardware.speech.fakes import NullSynthesizer, ToneSynthesizer

if TYPE_CHECKING:
    from pyttsx3.engine import Engine

log = logging.getLogger(__name__)

# espeak-ng voices to prefer per language (pyttsx3 voice ids are espeak-ng's voice files)
PREFERRED_VOICES = {"id": ("poz/id",), "en": ("gmw/en", "gmw/en-us")}
# pyttsx3.init() returns ONE engine per process (per driver): whoever uses it, one phrase at a time
_ENGINE_LOCK = threading.Lock()


class Pyttsx3Synthesizer(WorkerSynthesizer):
    """pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeechSynthesizer on macOS), one worker thread."""

    def __init__(self, cache_dir: Path | str, rate: int = DEFAULT_WPM,
                 voices: Mapping[str, str | None] | None = None, driver: str | None = None):
        super().__init__(cache_dir, rate)
        self.wanted = {k: v for k, v in (voices or {}).items() if v}
        self.driver = driver
        self.name = "pyttsx3"
        self._engine: Engine | None = None
        self._errors: list[BaseException] = []
        self._espeak: ModuleType | None = None

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
            raise SpeechUnavailable(f"pyttsx3 could not start a speech engine{hint}: {reason(exc)}") from None
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
        if engine is None:  # the worker renders only after _open succeeded
            raise SpeechUnavailable("the speech engine did not start")
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
                raise SpeechUnavailable(f"the speech engine failed: {reason(self._errors[0])}")
            try:
                check_wav(tmp)
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


def synthesizer_from_config(mode: str, cache_dir: Path, rate: int = DEFAULT_WPM,
                            voices: Mapping[str, str | None] | None = None,
                            cache_mb: int | None = None) -> Synthesizer:
    """``on`` (pyttsx3), ``off`` (no speech, chime only) or ``tone`` (test tones instead of words);
    ``cache_mb``: the phrase cache's size limit (default ``cache.MAX_CACHE_MB``)."""
    mode = (mode or "on").strip().lower()
    worker: WorkerSynthesizer | None = None
    if mode in ("on", "pyttsx3", "auto", "1", "true", "yes"):
        worker = Pyttsx3Synthesizer(cache_dir, rate=rate, voices=voices)
    elif mode == "tone":
        worker = ToneSynthesizer(cache_dir)
    if worker is not None:
        if cache_mb is not None:
            worker.max_cache_bytes = cache_mb * 1024 * 1024
        return worker
    if mode in ("off", "none", "0", "false", "no"):
        return NullSynthesizer("speech is switched off (ANTREAN_SPEECH=off)", cache_dir)
    return NullSynthesizer(f"unknown ANTREAN_SPEECH value {mode!r} (on, off or tone)", cache_dir)


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


def _quiet_driver_prints() -> None:
    """pyttsx3's espeak driver prints "Audio saved to ..." (and playback errors) to stdout: silence
    those. Only that module's ``print`` is replaced."""
    module = sys.modules.get("pyttsx3.drivers.espeak")
    if module is not None:
        # a no-op, not a log call: espeak-ng calls back from its own thread, where the gevent-patched
        # locks of the logging module must not be taken
        module.__dict__["print"] = _no_print


def _no_print(*_args, **_kw) -> None:
    return None

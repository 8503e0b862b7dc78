"""The speech interface: ``Synthesizer``, ``SpeechUnavailable`` and ``WorkerSynthesizer`` (cache, queue, one thread).

Files are cached under the instance folder (``<instance>/audio/``), named by a hash of the engine,
voice, rate, language and text, written to a temporary name and renamed, so a repeated phrase
costs nothing and no reader ever sees half a file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import queue
import secrets
import threading
import time
import wave
from concurrent.futures import Future
from pathlib import Path
from typing import Protocol

from antrean.hardware.speech.cache import MAX_CACHE_MB, cache_size, check_free_space, touch, trim_cache

log = logging.getLogger(__name__)

DEFAULT_WPM = 150              # words per minute: a little slower than espeak-ng's 175, for a hall
LANG_NAMES = {"id": "Indonesian", "en": "English"}


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


class WorkerSynthesizer:
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
        self.max_cache_bytes = MAX_CACHE_MB * 1024 * 1024  # ANTREAN_SPEECH_CACHE_MB
        self._cache_bytes: int | None = None  # the cache's size as the worker knows it (None: not yet measured)

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
            return False, reason(exc)
        if lang not in voices:
            return False, self._voice_unavailable(lang)
        return True, voices[lang]

    def describe(self) -> str:
        self.start()
        try:
            voices = self._ready.result(15.0)
        except Exception as exc:
            return f"{self.name}: unavailable ({reason(exc)})"
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
            return failed(ValueError("nothing to say"))
        if not ok:
            return failed(SpeechUnavailable(why))
        key = self.key(text, lang)
        path = self.path(key)
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:
                return pending
            if path.exists():
                touch(path)
                done: Future = Future()
                done.set_result(path)
                return done
            fut: Future = Future()
            self._pending[key] = fut
        self._jobs.put((text, lang, key, fut))
        return fut

    def synthesize(self, text: str, lang: str = "id", timeout: float = 30.0) -> Path:
        return self.submit(text, lang).result(timeout)

    def _keep_within_limit(self, written: Path) -> None:
        """After a new phrase: if the cache now passes its limit, drop the least recently used
        phrases (never the one just written). Runs on the worker thread, which alone writes."""
        try:
            if self._cache_bytes is None:
                self._cache_bytes = cache_size(self.cache_dir)
            else:
                self._cache_bytes += written.stat().st_size
            if self._cache_bytes > self.max_cache_bytes:
                removed, self._cache_bytes = trim_cache(self.cache_dir, self.max_cache_bytes,
                                                        frozenset({written.name}))
                log.info("speech cache: removed %d least recently used phrases (%d MB kept, limit %d MB)",
                         removed, self._cache_bytes // 2**20, self.max_cache_bytes // 2**20)
        except OSError as exc:
            log.warning("speech cache: cannot measure %s: %s", self.cache_dir, reason(exc))

    def _run(self) -> None:
        try:
            voices = self._open()
        except Exception as exc:
            log.warning("speech engine %s could not start: %s", self.name, reason(exc))
            self._ready.set_exception(SpeechUnavailable(reason(exc)))
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
                    check_free_space(self.cache_dir)
                    tmp = path.with_name(f".{key}.{secrets.token_hex(4)}.tmp")
                    started = time.perf_counter()
                    try:
                        self._render(text, lang, tmp)
                        check_wav(tmp)
                        os.replace(tmp, path)
                    finally:
                        if tmp.exists():
                            tmp.unlink()
                    self.last_seconds = time.perf_counter() - started
                    self.rendered += 1
                    self._keep_within_limit(path)
                    log.debug("synthesised %r (%s) in %.0f ms", text, lang, self.last_seconds * 1000)
                result: Path | BaseException = path
                self.last_error = None
            except OSError as exc:  # the cache folder cannot be written: a full disk, a lost share
                self.last_error = f"cannot write {self.cache_dir}: {reason(exc)}"
                log.error("speech cache: %s (displays chime only until it can)", self.last_error)
                result = exc
            except Exception as exc:
                log.warning("speech failed for %r (%s): %s", text, lang, reason(exc))
                result = exc
            with self._lock:
                self._pending.pop(key, None)
            if isinstance(result, BaseException):
                fut.set_exception(result)
            else:
                fut.set_result(result)


def check_wav(path: Path) -> None:
    if not path.exists():
        raise SpeechUnavailable("the speech engine wrote no file")
    try:
        with wave.open(str(path), "rb") as w:
            frames = w.getnframes()
    except (wave.Error, EOFError) as exc:
        raise SpeechUnavailable(f"the speech engine wrote a broken WAV file: {exc}") from None
    if frames == 0:
        raise SpeechUnavailable("the speech engine wrote an empty WAV file")


def failed(exc: BaseException) -> Future:
    fut: Future = Future()
    fut.set_exception(exc)
    return fut


def reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]

"""Announcements for the waiting room: a call -> sentences -> cached WAV files every display plays.

The hub asks ``Announcer.decorate(call)`` before it emits a ``call``: the payload gets
``announce`` (one ``{"lang", "text", "audio"}`` per announced language, in the order they are
spoken), and ``text``/``audio`` of the first. Synthesis is queued at that moment on the speech
worker (off the request thread, once per phrase thanks to the cache); the audio URL answers as
soon as the file is made. When speech is unavailable, ``audio`` is null: displays still show the
call and chime.

No Flask here: the blueprint serves the files, the app factory wires this to the hub.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from antrean.hardware.speech import SpeechUnavailable, Synthesizer, prune_cache, write_chime
from antrean.shared.domain.announce import LANGS, langs_of, phrase
from antrean.shared.services.display_settings import DisplaySettings, SettingsStore

log = logging.getLogger(__name__)

AUDIO_URL = "/display/audio/{key}.wav"
CHIME_URL = "/display/audio/chime.wav"
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
REGISTRY_SIZE = 5000


class Announcer:
    def __init__(self, synthesizer: Synthesizer, settings: SettingsStore, audio_dir: Path):
        self.synth = synthesizer
        self.settings = settings
        self.audio_dir = Path(audio_dir)
        self.chime_path = self.audio_dir / "chime.wav"
        self._phrases: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def start(self) -> None:
        try:
            self.audio_dir.mkdir(parents=True, exist_ok=True)
            removed = prune_cache(self.audio_dir)
            if removed:
                log.info("speech cache: removed %d unused phrase files", removed)
            write_chime(self.chime_path)
        except OSError as exc:  # a full disk must not stop the server; the chime is made when it can be
            log.error("speech cache: cannot write %s: %s", self.audio_dir, exc.strerror or exc)
        self.synth.start()

    def close(self) -> None:
        self.synth.close()

    # -- state -----------------------------------------------------------------------------

    def status(self, settings: DisplaySettings | None = None) -> dict[str, Any]:
        """``{"available", "reason", "engine", "langs": {"id": {"available", "detail"}, ...}}``.

        ``available`` is about the languages the office announces in (the setting)."""
        settings = settings or self.settings.get()
        langs = {}
        for lang in LANGS:
            ok, detail = self.synth.available(lang)
            langs[lang] = {"available": ok, "detail": detail}
        wanted = langs_of(settings.announce_lang)
        missing = [lang for lang in wanted if not langs[lang]["available"]]
        return {
            "available": not missing,
            "reason": "; ".join(f"{lang}: {langs[lang]['detail']}" for lang in missing),
            "fault": getattr(self.synth, "last_error", None),  # e.g. the audio cache's disk is full
            "engine": self.synth.describe(),
            "announce": list(wanted),
            "langs": langs,
        }

    def summary(self) -> str:
        """One line for the start-up banner: ``available (...)`` or ``unavailable (<reason>)``."""
        st = self.status()
        if st["available"]:
            return f"available ({st['engine']})"
        return f"unavailable ({st['reason']})"

    # -- calls -----------------------------------------------------------------------------

    def announcements(self, call: dict[str, Any], settings: DisplaySettings | None = None,
                      synthesize: bool = True) -> list[dict[str, Any]]:
        settings = settings or self.settings.get()
        out = []
        for lang in langs_of(settings.announce_lang):
            try:
                text = phrase(call, lang, settings.announce_reading)
            except (ValueError, TypeError) as exc:
                log.warning("no announcement for call %s: %s", call.get("number"), exc)
                continue
            ok, why = self.synth.available(lang)
            audio = None
            if ok:
                key = self.synth.key(text, lang)
                self._remember(key, text, lang)
                if synthesize:
                    self.synth.submit(text, lang)  # queued; the audio URL waits for it if need be
                audio = AUDIO_URL.format(key=key)
            elif lang not in self._warned:
                self._warned.add(lang)
                log.warning("speech unavailable for %s: %s (displays chime only)", lang, why)
            out.append({"lang": lang, "text": text, "audio": audio})
        return out

    def decorate(self, call: dict[str, Any], settings: DisplaySettings | None = None,
                 synthesize: bool = True) -> dict[str, Any]:
        """A copy of the call payload with what to play: ``announce``, ``text``, ``audio``, ``chime``."""
        try:
            items = self.announcements(call, settings, synthesize)
        except Exception:  # speech must never stop a call from being shown
            log.exception("announcement failed for call %s", call.get("number"))
            items = []
        first = items[0] if items else {"text": None, "audio": None}
        return {**call, "announce": items, "text": first["text"], "audio": first["audio"],
                "chime": CHIME_URL}

    def extend_snapshot(self, snap: dict[str, Any]) -> dict[str, Any]:
        """What a display needs beyond the desk's snapshot: running text, speech state, and the
        recent calls with their announcements (a display that was offline announces what it missed)."""
        settings = self.settings.get()
        snap = dict(snap)
        snap["running_text"] = settings.running_text
        st = self.status(settings)
        snap["speech"] = {"available": st["available"], "reason": st["reason"]}
        snap["recent"] = [self.decorate(c, settings, synthesize=False) for c in snap.get("recent", [])]
        return snap

    # -- files -----------------------------------------------------------------------------

    def _remember(self, key: str, text: str, lang: str) -> None:
        with self._lock:
            self._phrases[key] = (text, lang)
            self._phrases.move_to_end(key)
            while len(self._phrases) > REGISTRY_SIZE:
                self._phrases.popitem(last=False)

    def chime(self) -> Path | None:
        """The chime file, made again if a full disk stopped it at start-up."""
        if not self.chime_path.exists():
            try:
                write_chime(self.chime_path)
            except OSError as exc:
                log.error("speech cache: cannot write the chime: %s", exc.strerror or exc)
                return None
        return self.chime_path

    def wav_path(self, key: str, wait: float = 15.0) -> Path | None:
        """The WAV of an announcement: from the cache, or made now (waiting up to ``wait`` s).

        None when the key is unknown here and no file appears (another server process announced
        it and the folders are not shared), or when synthesis failed."""
        if not KEY_RE.match(key):
            return None
        path = self.synth.path(key)
        if path.exists():
            return path
        with self._lock:
            known = self._phrases.get(key)
        if known is not None:
            try:
                return self.synth.submit(*known).result(wait)
            except (SpeechUnavailable, FutureTimeout) as exc:
                log.warning("announcement audio %s not made: %s", key, exc or "timed out")
                return None
            except Exception:
                log.exception("announcement audio %s failed", key)
                return None
        deadline = time.monotonic() + min(wait, 3.0)
        while time.monotonic() < deadline:
            if path.exists():
                return path
            time.sleep(0.1)
        return None

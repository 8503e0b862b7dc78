"""Speech without an engine: ``ToneSynthesizer`` (a WAV tone per phrase, the test double) and ``NullSynthesizer``."""
from __future__ import annotations

import hashlib
import time
import wave
from concurrent.futures import Future
from pathlib import Path

from antrean.hardware.speech.base import DEFAULT_WPM, SpeechUnavailable, WorkerSynthesizer, failed
from antrean.hardware.speech.wav import RATE_HZ, tones


class ToneSynthesizer(WorkerSynthesizer):
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
            w.writeframes(tones([(freq, self.seconds, 0.5)]))
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
        return failed(SpeechUnavailable(self.reason))

    def synthesize(self, text: str, lang: str = "id", timeout: float = 30.0) -> Path:
        raise SpeechUnavailable(self.reason)

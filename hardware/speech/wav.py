"""WAV files: measuring them (length, loudness, voiced seconds), writing them atomically, tones and the chime."""
from __future__ import annotations

import math
import os
import secrets
import sys
import time
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from antrean.hardware.speech.base import Synthesizer

RATE_HZ = 22050                # espeak-ng's sample rate; the chime and the test tones use it too


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


def write_wav_atomic(path: Path, frames: bytes, rate: int = RATE_HZ, channels: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    os.replace(tmp, path)
    return path


def tones(notes: Iterable[tuple[float, float, float]], rate: int = RATE_HZ) -> bytes:
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
    return tones(CHIME_NOTES, rate)


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
    return write_wav_atomic(path, frames, rate)


def silence_frames(seconds: float, rate: int = RATE_HZ) -> bytes:
    return b"\x00\x00" * int(rate * seconds)


def measure(synth: Synthesizer, texts: Iterable[tuple[str, str]]) -> list[tuple[str, float, WavInfo]]:
    """Synthesise each (text, lang) and return (text, seconds taken, measured WAV); for bench/ and tests."""
    out = []
    for text, lang in texts:
        started = time.perf_counter()
        path = synth.synthesize(text, lang)
        out.append((text, time.perf_counter() - started, wav_info(path)))
    return out

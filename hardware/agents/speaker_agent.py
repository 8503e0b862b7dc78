"""The speaker agent: speaks every call through pyttsx3 on a machine wired to the PA system.

    antrean speaker-agent --server http://10.0.0.5:5000            # speak through the sound card
    antrean speaker-agent --server URL --wav-dir D:\\pengumuman      # or write numbered WAV files

It connects to the server's ``/display`` namespace like a display does (python-socketio client),
takes each ``call`` in the order the server sends it, and plays the chime and the sentence(s),
one announcement after another, never two at once. It reconnects by itself (a server restart
costs a few seconds); calls made while it was away are announced on reconnection when they are
less than two minutes old. The sentences come with the call (the office's language and number
reading), or are built here with ``--lang``/``--reading``. Speech is synthesised locally with
pyttsx3 (its own phrase cache), so the PA machine uses its own voices (SAPI5 on Windows).

Playing sound: ``winsound`` on Windows; on Linux and macOS the first of ``pw-play``, ``paplay``,
``aplay``, ``afplay``, ``ffplay`` found (Python has no portable audio output of its own).
``--wav-dir`` writes ``0001-A012-call.wav`` (chime + speech) files instead: for a machine without a
sound card, for a recording of the day, and for tests. No Flask here.
"""
from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from array import array
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from antrean.hardware.speech.base import SpeechUnavailable, Synthesizer
from antrean.hardware.speech.wav import CHIME_NOTES, RATE_HZ, silence_frames, tones, write_chime
from antrean.shared.domain.announce import ANNOUNCE_LANGS, READINGS, langs_of, phrase

log = logging.getLogger(__name__)

MISSED_SECONDS = 120
PLAYERS: tuple[tuple[str, list[str]], ...] = (("pw-play", []), ("paplay", []), ("aplay", ["-q"]), ("afplay", []),
           ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"]))


class Output(Protocol):
    def announce(self, call: dict[str, Any], parts: list[Path]) -> Path | None:
        """Play (or write) these WAV files for one call, in order; return when done, with the WAV file
        written if there is one."""

    def describe(self) -> str: ...


class WavDirOutput:
    """Each announcement becomes one numbered WAV file: the chime, a short pause, the sentence(s)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = sorted(self.folder.glob("[0-9][0-9][0-9][0-9]-*.wav"))
        self.count = int(existing[-1].name[:4]) if existing else 0

    def describe(self) -> str:
        return f"WAV files in {self.folder}"

    def announce(self, call: dict[str, Any], parts: list[Path]) -> Path:
        self.count += 1
        number = "".join(ch for ch in str(call.get("number", "")) if ch.isalnum()) or "call"
        kind = "".join(ch for ch in str(call.get("kind", "")) if ch.isalpha()) or "call"
        out = self.folder / f"{self.count:04d}-{number}-{kind}.wav"
        concat_wavs(parts, out)
        return out


class SoundCardOutput:
    """Plays through the machine's sound card: winsound on Windows, a player program elsewhere."""

    def __init__(self, command: list[str] | None = None):
        self.command = command or find_player()

    def describe(self) -> str:
        if sys.platform == "win32" and not self.command:
            return "sound card (winsound)"
        return f"sound card ({' '.join(self.command)})" if self.command else "no audio player found"

    def announce(self, call: dict[str, Any], parts: list[Path]) -> None:
        for part in parts:
            self.play(part)

    def play(self, path: Path) -> None:
        if sys.platform == "win32" and not self.command:  # pragma: no cover - Windows only
            import winsound

            winsound.PlaySound(str(path), winsound.SND_FILENAME)
            return
        if not self.command:
            raise RuntimeError("no audio player found (install pipewire, pulseaudio-utils or alsa-utils, "
                               "or use --wav-dir)")
        try:
            duration = _duration(path)
            subprocess.run([*self.command, str(path)], check=True, timeout=duration + 15,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            raise RuntimeError(f"{self.command[0]} failed: {detail[-1] if detail else exc}") from None


def find_player() -> list[str]:
    for name, args in PLAYERS:
        path = shutil.which(name)
        if path:
            return [path, *args]
    return []


def concat_wavs(parts: list[Path], out: Path, gap: float = 0.25) -> Path:
    """Join 16-bit WAV files into one, a short pause between them. The speech sets the format;
    the chime is remade at the speech's rate when the speech engine writes another one."""
    clips = []
    for p in parts:
        with wave.open(str(p), "rb") as w:
            if w.getsampwidth() != 2:
                raise ValueError(f"{p.name}: only 16-bit WAV files can be joined")
            clips.append((p, w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())))
    rate, channels = (clips[-1][1], clips[-1][2]) if clips else (RATE_HZ, 1)
    tmp = out.with_name(f".{out.name}.tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        for i, (p, r, c, data) in enumerate(clips):
            if (r, c) != (rate, channels):
                if p.name != "chime.wav":
                    raise ValueError(f"{p.name}: {r} Hz x{c} differs from {rate} Hz x{channels}")
                data = _mono_to(tones(CHIME_NOTES, rate), channels)
            if i:
                w.writeframes(_mono_to(silence_frames(gap, rate), channels))
            w.writeframes(data)
    tmp.replace(out)
    return out


def _mono_to(frames: bytes, channels: int) -> bytes:
    if channels == 1:
        return frames
    mono = array("h")
    mono.frombytes(frames)
    out = array("h")
    for s in mono:
        out.extend([s] * channels)
    return out.tobytes()


def _duration(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, OSError):
        return 30.0


def _call_key(call: dict[str, Any]) -> str:
    return f"{call.get('ticket_id')}|{call.get('kind')}|{call.get('at')}"


def _at(call: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(call.get("at")))
    except ValueError:
        return None


class SpeakerAgent:
    """Takes calls from the server, in order, and announces them one at a time."""

    def __init__(self, server: str, synth: Synthesizer, output: Output, chime: Path | None,
                 lang: str | None = None, reading: str | None = None,
                 on_announced: Callable[[dict, list[Path], Any], None] | None = None):
        if lang is not None and lang not in ANNOUNCE_LANGS:
            raise ValueError(f"lang must be one of {', '.join(ANNOUNCE_LANGS)}")
        if reading is not None and reading not in READINGS:
            raise ValueError(f"reading must be one of {', '.join(READINGS)}")
        self.server = server.rstrip("/")
        self.synth = synth
        self.output = output
        self.chime = chime
        self.lang = lang
        self.reading = reading
        self.on_announced = on_announced
        self.calls: queue.Queue = queue.Queue()
        self.announced = 0
        self._seen: dict[str, None] = {}
        self._newest: datetime | None = None
        self._resync = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        import socketio

        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2,
                                   handle_sigint=False)
        self.sio.on("connect", self._on_connect, namespace="/display")
        self.sio.on("disconnect", self._on_disconnect, namespace="/display")
        self.sio.on("snapshot", self._on_snapshot, namespace="/display")
        self.sio.on("call", self._on_call, namespace="/display")

    # -- socket side (python-socketio's threads) --------------------------------------------

    def _on_connect(self) -> None:
        log.info("connected to %s", self.server)

    def _on_disconnect(self, *_args) -> None:
        # the server sends its snapshot from its connect handler, before the client's "connect"
        # event: so a lost connection, not the connect event, marks the next snapshot as a resync
        with self._lock:
            self._resync = True
        if not self._stop.is_set():
            log.warning("disconnected from %s; reconnecting", self.server)

    def _remember(self, call: dict[str, Any]) -> bool:
        key = _call_key(call)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > 500:
            self._seen.pop(next(iter(self._seen)))
        at = _at(call)
        if at is not None and (self._newest is None or at > self._newest):
            self._newest = at
        return True

    def _on_call(self, call: dict[str, Any]) -> None:
        with self._lock:
            fresh = isinstance(call, dict) and self._remember(call)
        if fresh:
            self.calls.put(call)

    def _on_snapshot(self, snap: dict[str, Any]) -> None:
        recent = list((snap or {}).get("recent") or [])
        with self._lock:
            resync, self._resync = self._resync, False
            if not resync:
                if self._newest is None:   # first connection: what was called before is not news
                    for call in recent:
                        self._remember(call)
                return
            now = _at(snap) or datetime.now().astimezone()
            newest = self._newest
            missed = [c for c in reversed(recent)
                      if _call_key(c) not in self._seen and (at := _at(c)) is not None
                      and (newest is None or at > newest) and (now - at).total_seconds() <= MISSED_SECONDS]
            for call in missed:
                self._remember(call)
        for call in missed:
            log.info("announcing %s, called while this agent was offline", call.get("number"))
            self.calls.put(call)

    # -- the announcing thread --------------------------------------------------------------

    def sentences(self, call: dict[str, Any]) -> list[tuple[str, str]]:
        """(text, lang) to speak for a call: the server's, or built here with --lang/--reading."""
        items = call.get("announce")
        if self.lang is None and self.reading is None and isinstance(items, list) and items:
            return [(a["text"], a["lang"]) for a in items if a.get("text") and a.get("lang")]
        langs = langs_of(self.lang) if self.lang else tuple(
            a.get("lang") for a in (items or []) if a.get("lang")) or ("id",)
        return [(phrase(call, lang, self.reading or "number"), lang) for lang in langs]

    def announce(self, call: dict[str, Any]) -> None:
        parts: list[Path] = [self.chime] if self.chime else []
        texts = []
        try:
            sentences = self.sentences(call)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("no sentence for %s: %s", call.get("number"), exc)
            sentences = []
        for text, lang in sentences:
            texts.append(text)
            try:
                parts.append(self.synth.synthesize(text, lang))
            except SpeechUnavailable as exc:
                log.warning("speech unavailable (%s): chime only for %s", exc, call.get("number"))
            except Exception:
                log.exception("speech failed for %s", call.get("number"))
        result = None
        if parts:
            result = self.output.announce(call, parts)
        self.announced += 1
        log.info("announced %s (%s) at %s: %s", call.get("number"), call.get("kind"),
                 call.get("loket_name"), " / ".join(texts) or "(chime only)")
        if self.on_announced:
            self.on_announced(call, parts, result)

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                call = self.calls.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.announce(call)
            except Exception:  # a broken sound card must not stop the next announcement
                log.exception("announcement of %s failed", call.get("number"))

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, wait_timeout: float = 10.0) -> None:
        self.synth.start()
        self._worker = threading.Thread(target=self._work, name="antrean-speaker-agent", daemon=True)
        self._worker.start()
        while not self._stop.is_set():
            try:
                self.sio.connect(self.server, namespaces=["/display"], transports=["websocket", "polling"],
                                 wait_timeout=wait_timeout)
                return
            except Exception as exc:  # the server is not up yet: keep trying, as after a restart
                log.warning("cannot reach %s (%s); retrying", self.server, exc)
                self._stop.wait(2.0)

    def run(self) -> None:
        self.start()
        while not self._stop.is_set():
            self._stop.wait(0.5)

    def stop(self) -> None:
        self._stop.set()
        try:
            self.sio.disconnect()
        except Exception:
            pass
        if self._worker is not None:
            self._worker.join(5)
        self.synth.close()


def default_cache() -> Path:
    return Path(tempfile.gettempdir()) / "antrean-speaker"


def make_agent(server: str, wav_dir: str | None = None, lang: str | None = None, reading: str | None = None,
               chime: bool = True, cache: str | None = None, rate: int = 150,
               voice_id: str | None = None, voice_en: str | None = None, player: str | None = None,
               engine: str = "on") -> SpeakerAgent:
    from antrean.hardware.speech.engine import synthesizer_from_config

    cache_dir = Path(cache) if cache else default_cache()
    cache_dir.mkdir(parents=True, exist_ok=True)
    synth = synthesizer_from_config(engine, cache_dir, rate=rate, voices={"id": voice_id, "en": voice_en})
    output: Output = WavDirOutput(wav_dir) if wav_dir else SoundCardOutput(player.split() if player else None)
    chime_path = write_chime(cache_dir / "chime.wav") if chime else None
    return SpeakerAgent(server, synth, output, chime_path, lang=lang, reading=reading)


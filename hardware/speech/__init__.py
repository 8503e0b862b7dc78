"""Speech: a sentence -> a WAV file, cached by phrase, behind one small interface. No Flask here.

``base`` holds the interface and the worker every synthesizer shares (the phrase cache, the job
queue, one thread), ``engine`` the real one (pyttsx3: espeak-ng on Linux, SAPI5 on Windows) and
``synthesizer_from_config``, ``fakes`` the ones without an engine (``ToneSynthesizer``, a short
real WAV tone per phrase, is the test double; ``NullSynthesizer`` stands for "no speech here",
chime only), ``cache`` the cache's files (pruning, free space) and ``wav`` the WAV helpers
(``write_chime`` makes the two-tone chime, ``wav_info`` measures a WAV: duration, RMS, peak).
"""
from antrean.hardware.speech.base import SpeechUnavailable, Synthesizer, WorkerSynthesizer
from antrean.hardware.speech.cache import prune_cache
from antrean.hardware.speech.engine import Pyttsx3Synthesizer, select_voice, synthesizer_from_config
from antrean.hardware.speech.fakes import NullSynthesizer, ToneSynthesizer
from antrean.hardware.speech.wav import (
    CHIME_NOTES,
    RATE_HZ,
    WavInfo,
    chime_frames,
    measure,
    silence_frames,
    voiced_seconds,
    wav_info,
    write_chime,
)

__all__ = [
    "CHIME_NOTES", "RATE_HZ", "NullSynthesizer", "Pyttsx3Synthesizer", "SpeechUnavailable", "Synthesizer",
    "ToneSynthesizer", "WavInfo", "WorkerSynthesizer", "chime_frames", "measure", "prune_cache", "select_voice",
    "silence_frames", "synthesizer_from_config", "voiced_seconds", "wav_info", "write_chime",
]

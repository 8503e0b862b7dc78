"""Speech figures on this machine: synthesis time per sentence (cold and cached) and WAV lengths.

    .venv/bin/python bench/speech.py [--rate 150] [--count 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from antrean.hardware.speech import Pyttsx3Synthesizer, voiced_seconds, wav_info  # noqa: E402
from antrean.shared.domain.announce import phrase  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=150)
    parser.add_argument("--count", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        synth = Pyttsx3Synthesizer(tmp, rate=args.rate)
        started = time.perf_counter()
        ok, why = synth.available("id")
        print(f"engine: {synth.describe()} (ready in {(time.perf_counter() - started) * 1000:.0f} ms)")
        if not ok:
            print(f"Indonesian speech unavailable: {why}")
            return
        cold, cached, lengths, voiced = [], [], [], []
        for lang in ("id", "en"):
            for n in range(1, args.count + 1):
                kind = ("call", "recall", "pickup")[n % 3]
                text = phrase({"number": f"A{n * 33 % 1000:03d}", "loket": n % 3 + 1,
                               "loket_name": f"Loket {n % 3 + 1}", "kind": kind}, lang)
                t0 = time.perf_counter()
                path = synth.synthesize(text, lang)
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                synth.synthesize(text, lang)
                cached.append(time.perf_counter() - t0)
                lengths.append(wav_info(path).duration)
                voiced.append(voiced_seconds(path))
        synth.close()
    q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    print(f"{len(cold)} sentences at {args.rate} wpm")
    print(f"  synthesis  : median {statistics.median(cold) * 1000:.1f} ms, p95 {q(cold, .95) * 1000:.1f} ms, "
          f"max {max(cold) * 1000:.1f} ms")
    print(f"  from cache : median {statistics.median(cached) * 1000:.2f} ms")
    print(f"  WAV length : {min(lengths):.2f}-{max(lengths):.2f} s (median {statistics.median(lengths):.2f} s), "
          f"voiced {min(voiced):.2f}-{max(voiced):.2f} s")


if __name__ == "__main__":
    main()

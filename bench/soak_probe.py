"""`antrean serve` exactly as the command runs it, plus one observer greenlet for bench/soak.py.

    python bench/soak_probe.py serve --host 127.0.0.1 --port 5000

Every ``ANTREAN_SOAK_PROBE_SECONDS`` (default 10) the observer writes what cannot be seen from
outside the process to the JSON file ``ANTREAN_SOAK_PROBE``: the number of live greenlets and of
objects the garbage collector tracks (both counted over ``gc.get_objects()``, which leaves out the
start-up objects `antrean serve` freezes, so the counts are what the serving added), and Python's
thread count. Memory, open files and OS threads are read by bench/soak.py from /proc.
The one walk over the collector's objects takes a few ms every interval; nothing else differs from
`antrean serve`.
"""
from __future__ import annotations

import sys

from gevent import monkey

monkey.patch_all()  # as `antrean serve` does, before anything imports the standard library's I/O

import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import greenlet  # noqa: E402


def _observe(path: str, every: float) -> None:
    while True:
        objects = gc.get_objects()
        greenlets = sum(1 for o in objects if isinstance(o, greenlet.greenlet))
        sample = {"at": time.time(), "greenlets": greenlets, "gc_objects": len(objects),
                  "py_threads": threading.active_count()}
        del objects
        tmp = f"{path}.tmp"
        with open(tmp, "w") as fh:
            json.dump(sample, fh)
        os.replace(tmp, path)
        gevent.sleep(every)


def main() -> None:
    path = os.environ.get("ANTREAN_SOAK_PROBE")
    if path:
        gevent.spawn(_observe, path, float(os.environ.get("ANTREAN_SOAK_PROBE_SECONDS") or 10))
    from antrean.shared.cli.main import main as antrean

    antrean(sys.argv[1:])


if __name__ == "__main__":
    main()

"""The phrase cache's files: pruning old phrases, refreshing a used one, refusing a nearly full disk."""
from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

KEEP_DAYS = 30                 # cached phrases not used for this long are removed at start-up
# The cache's size limit (ANTREAN_SPEECH_CACHE_MB): every call's phrase differs (number, loket,
# purpose), so a busy office adds ~100 MB a day. Above the limit the least recently used phrases go
# (a phrase is touched each time it is announced), down to TRIM_TO of the limit.
MAX_CACHE_MB = 256
TRIM_TO = 0.8
# A sentence is ~0.3 MB of WAV. With less free space than this nothing is synthesised: pyttsx3's
# espeak driver, told to write onto a full disk, raises inside espeak's callback and then never
# finishes (measured with espeak-ng 1.51), which would stop every later announcement.
MIN_FREE_BYTES = 2 * 1024 * 1024


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


def cache_size(folder: Path) -> int:
    """Bytes of the cached phrases (the WAV files) in ``folder``."""
    total = 0
    for p in folder.glob("*.wav"):
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


def trim_cache(folder: Path, max_bytes: int, keep: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Remove the least recently used phrases until the cache holds at most ``TRIM_TO`` of
    ``max_bytes``; never the chime nor the files named in ``keep``. Returns (removed, bytes left)."""
    files = []
    total = 0
    for p in folder.glob("*.wav"):
        try:
            st = p.stat()
        except OSError:
            continue
        total += st.st_size
        if p.stem != "chime" and p.name not in keep:
            files.append((st.st_mtime, st.st_size, p))
    if total <= max_bytes:
        return 0, total
    removed = 0
    goal = int(max_bytes * TRIM_TO)
    for _mtime, size, p in sorted(files, key=lambda f: f[0]):
        if total <= goal:
            break
        try:
            p.unlink()
        except OSError:
            continue
        total -= size
        removed += 1
    return removed, total


def touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def check_free_space(folder: Path) -> None:
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({free // 1024} KiB free)", str(folder))

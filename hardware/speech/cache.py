"""The phrase cache's files: pruning old phrases, refreshing a used one, refusing a nearly full disk."""
from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

KEEP_DAYS = 30                 # cached phrases not used for this long are removed at start-up
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


def touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def check_free_space(folder: Path) -> None:
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({free // 1024} KiB free)", str(folder))

"""python-escpos's capability database, loaded once from one fixed cache folder (before any other escpos import).

``antrean.hardware.printer`` imports this module first, so every module of the package (and
anything that imports one of them) finds python-escpos already set up this way.
"""
from __future__ import annotations

import os
import sys
import tempfile


def _escpos_pickle_dir() -> str:
    """Point python-escpos at one fixed cache folder (each ``import escpos`` makes a new temp folder
    otherwise). The folder must exist: python-escpos writes its pickle there without creating it."""
    name = "antrean-escpos"
    folder = os.path.join(tempfile.gettempdir(), name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if hasattr(os, "getuid") and os.stat(folder).st_uid != os.getuid():
            # python-escpos unpickles from this folder: never trust one another user made.
            folder = os.path.join(tempfile.gettempdir(), f"{name}-{os.getuid()}")
            os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        pass
    return folder


def _load_escpos_capabilities() -> None:
    """Import python-escpos's capability database once, reusing the pickle in the fixed folder.

    python-escpos 3.1 reads ``environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR", mkdtemp())``: the
    default is evaluated anyway, so every process would still leave an empty temp folder behind.
    While the module loads, its own ``mkdtemp()`` call (and only that one) gets the fixed folder.
    """
    if "escpos.capabilities" in sys.modules:
        return
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        if not args and not kwargs and sys._getframe(1).f_globals.get("__name__") == "escpos.capabilities":
            return os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]
        return real_mkdtemp(*args, **kwargs)

    tempfile.mkdtemp = mkdtemp
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        tempfile.mkdtemp = real_mkdtemp


# Before anything imports escpos (antrean.hardware.printer imports this module first).
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _escpos_pickle_dir()
_load_escpos_capabilities()

"""The front-end libraries in the package (shared/web/static/vendor/) are the files npm installs
from package-lock.json: scripts/vendor.py copies them, and this test catches a copy left behind
after a version change. Without node_modules (`npm ci`) it skips; CI runs `npm ci` and requires it."""
from __future__ import annotations

import runpy

from antrean.shared.app import VENDOR_FILES
from tests.support.env import ROOT, need

VENDOR = runpy.run_path(str(ROOT / "scripts" / "vendor.py"))


def test_every_served_file_is_in_the_package():
    for name in VENDOR_FILES:
        assert name in VENDOR["FILES"], f"{name} is served but scripts/vendor.py does not copy it"
        assert (VENDOR["VENDOR"] / name).is_file(), f"{name} is missing: run `python scripts/vendor.py`"


def test_the_committed_copies_equal_node_modules():
    node_modules = VENDOR["NODE_MODULES"]
    need(node_modules.is_dir(), f"no {node_modules}: run `npm ci` to compare the vendored front-end files")
    stale = [name for name, src in VENDOR["FILES"].items()
             if not (VENDOR["VENDOR"] / name).is_file()
             or (VENDOR["VENDOR"] / name).read_bytes() != (node_modules / src).read_bytes()]
    assert not stale, f"out of date with node_modules: {stale}; run `python scripts/vendor.py` and commit"

"""Copy the front-end libraries from node_modules into the package (shared/web/static/vendor/).

package.json and package-lock.json record which versions are used; `npm ci` fetches them into
node_modules, and this script copies the few files the pages load (and their licences) into the
package, where they are committed: the wheel then carries them and a server needs no npm.
After changing a version:

    npm install socket.io-client@X.Y.Z   # or chart.js; updates package.json and package-lock.json
    python scripts/vendor.py             # copies the files; commit them with the lock file

tests/unit/test_vendor_files.py checks that the committed copies equal node_modules' files.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "shared" / "web" / "static" / "vendor"
# file name in the package -> its source under node_modules
FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io-client.LICENSE": "socket.io-client/LICENSE",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chart.js.LICENSE.md": "chart.js/LICENSE.md",
}


def main() -> int:
    missing = [src for src in FILES.values() if not (NODE_MODULES / src).is_file()]
    if missing:
        print(f"missing in {NODE_MODULES}: {', '.join(missing)}; run `npm ci` first", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, src in FILES.items():
        shutil.copyfile(NODE_MODULES / src, VENDOR / name)
        print(f"{VENDOR / name} <- node_modules/{src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

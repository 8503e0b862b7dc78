"""A PDF rendered with Debian's poppler-utils: pdftoppm draws every page (it must render) and pdftotext
reads its text back, so a test can assert the figures a reader sees."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.env import need


def pdf_pages_and_text(body: bytes, folder: Path, dpi: int = 60) -> tuple[list[Path], str]:
    """The PNG of every page and the text (``-layout``) of ``body``."""
    need(bool(shutil.which("pdftotext") and shutil.which("pdftoppm")),
         "pdftoppm/pdftotext (Debian poppler-utils) are not installed: scripts/install.sh --test")
    path = folder / "document.pdf"
    path.write_bytes(body)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "page")], check=True)
    pages = sorted(folder.glob("page-*.png"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return pages, text

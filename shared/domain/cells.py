"""What a CSV or XLSX cell may hold when its value comes from data (an applicant's name, a service, a
signer): written once, used for every cell of every export.

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide one (OWASP, "CSV Injection"): an applicant named
``=HYPERLINK("http://...", "klik")`` would become a live link in the Kasi's copy of the register. Such
a text gets a leading single quote, so it stays inert text. Control characters (a pasted vertical
tab, a NUL) are removed: XLSX cannot hold them at all, and a CSV reader may cut the line at them.
Numbers, dates and booleans we compute ourselves are left alone and stay numbers."""
from __future__ import annotations

import re
from typing import Any

# The C0 control characters but tab, line feed and carriage return, and DEL: the first set is
# exactly what XLSX refuses (openpyxl's ILLEGAL_CHARACTERS_RE), tests/unit/test_cells.py checks it.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a cell may hold it: None stays empty, numbers, dates and booleans stay as they are,
    anything else becomes text without control characters, quoted if it could start a formula."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "isoformat"):  # date, datetime, time: written by us
        return value
    text = CONTROL_CHARACTERS.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text

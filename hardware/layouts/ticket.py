"""What a queue ticket says and how it is laid out on an 80 mm (or 58 mm) ESC/POS roll.

``render_ticket`` writes through any python-escpos printer object (``Dummy``, ``Network``, ...):
it only calls the public ``Escpos`` methods (``set``, ``textln``, ``qr``, ``cut``, ...), so the
byte stream is python-escpos's own. Every text is made plain ASCII first: no code-page switching,
nothing a cheap printer cannot print, and no control character from data can smuggle in a command.
"""
from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_datetime

from antrean.shared.domain.clock import ZONE_ABBREVIATIONS  # Indonesia's three zones: WIB, WITA, WIT


@dataclass(frozen=True)
class TicketSlip:
    office_name: str                 # "Kecamatan Kampak"
    office_lines: tuple[str, ...]    # regency, address, phone
    service_name: str
    number: str                      # "B001"
    issued_at: datetime              # timezone-aware, already in the office's zone
    people_ahead: int
    wait_minutes: int
    documents: tuple[str, ...]       # documents to prepare
    status_url: str                  # QR target (public status page)
    priority_label: str = ""         # e.g. "Prioritas: lansia" ("" = none)
    pickup_code: str = ""
    lang: str = "id"                 # "id" (default) or "en"
    footer: str = ""                 # "" -> default footer in the slip's language


LABELS: dict[str, dict[str, str]] = {
    "id": {
        "number": "Nomor antrean",
        "people_ahead": "Antrean di depan Anda",
        "wait": "Perkiraan waktu tunggu",
        "minute": "menit",
        "minutes": "menit",
        "documents": "Dokumen yang perlu disiapkan:",
        "pickup": "Kode pengambilan",
        "footer": "Simpan tiket ini. Pantau antrean Anda dengan memindai kode QR.",
        "complaints": "Pengaduan: lapor.go.id",  # SP4N-LAPOR!, the national complaint channel
    },
    "en": {
        "number": "Queue number",
        "people_ahead": "People ahead of you",
        "wait": "Estimated wait",
        "minute": "minute",
        "minutes": "minutes",
        "documents": "Documents to prepare:",
        "pickup": "Pickup code",
        "footer": "Keep this ticket. Scan the QR code to follow your place in the queue.",
        "complaints": "Complaints: lapor.go.id",
    },
}

NUMBER_SCALE = 4  # the queue number's width and height, in multiples of the normal character

DATE_PATTERNS = {"id": "EEEE, d MMMM y HH.mm", "en": "EEEE, d MMMM y HH:mm"}

# Characters that NFKD does not turn into ASCII but that have a plain spelling.
_ASCII_REPLACEMENTS = {
    "\u00b1": "+/-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2022": "-", "\u00b7": "-", "\u2026": "...", "\u00d7": "x",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
}


def language(lang: str | None) -> str:
    """``"en-US"`` -> ``"en"``; anything unknown -> ``"id"``."""
    code = (lang or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in LABELS else "id"


# ASCII text needs no normalising: a tab becomes a space, the other control characters go.
_ASCII_CONTROLS = {**{i: None for i in range(32)}, 127: None, ord("\t"): " "}


def ascii_safe(text: str) -> str:
    """Plain printable ASCII: accents dropped (``"é"`` -> ``"e"``), ``"±"`` -> ``"+/-"``, control
    characters (which could be ESC/POS commands) removed, anything else unknown -> ``"?"``."""
    text = str(text)
    if text.isascii():  # the usual case, and the same outcome as the loop below
        return text.translate(_ASCII_CONTROLS)
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch in _ASCII_REPLACEMENTS:
            out.append(_ASCII_REPLACEMENTS[ch])
        elif " " <= ch <= "~":
            out.append(ch)
        elif unicodedata.combining(ch) or unicodedata.category(ch).startswith("C"):
            continue  # accents, and control/format characters (ESC, GS, NUL, newlines, ...)
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append("?")
    return "".join(out)


def _zone_name(dt: datetime) -> str:
    tz = dt.tzinfo
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)  # zoneinfo / pytz
    if key in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[key]
    offset = dt.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_issued(dt: datetime, lang: str = "id") -> str:
    """``"Selasa, 24 November 2026 08.15 WIB"`` (``"Tuesday, 24 November 2026 08:15 WIB"`` in English).

    The datetime is shown in its own zone; WIB/WITA/WIT for Indonesia's zones, else ``UTC+N``.
    A naive datetime is shown as it is, without a zone.
    """
    lang = language(lang)
    text = format_datetime(dt, DATE_PATTERNS[lang], tzinfo=dt.tzinfo, locale=lang)
    if dt.tzinfo is None or dt.utcoffset() is None:
        return text
    return f"{text} {_zone_name(dt)}"


def wrap(text: str, width: int, indent: str = "", subsequent_indent: str = "") -> list[str]:
    """ASCII-safe lines of at most ``width`` characters (long words and URLs are broken)."""
    text = ascii_safe(text)
    if text and len(indent) + len(text) <= width and text[0] != " " and text[-1] != " ":
        return [indent + text]  # fits on one line: what textwrap would give, without its work
    return textwrap.wrap(text, width, initial_indent=indent,
                         subsequent_indent=subsequent_indent, break_long_words=True,
                         break_on_hyphens=False) or []


def write_lines(printer, text: str, width: int, **kw) -> None:
    for line in wrap(text, width, **kw):
        printer.textln(line)


def render_header(p, office_name: str, office_lines: tuple[str, ...], width: int) -> None:
    """A clean printer state, the office's name and address centred, and a rule."""
    p.hw("INIT")  # ESC @: a clean state whatever the last job left behind
    p.set(align="center", bold=True)
    write_lines(p, office_name, width)
    p.set(bold=False)
    for line in office_lines:
        write_lines(p, line, width)
    p.textln("-" * width)


def render_ticket(printer, slip: TicketSlip, width: int = 42) -> None:
    """Write the ticket through any python-escpos printer object (escpos.escpos.Escpos subclass).

    ``width`` is the number of normal characters per line (42 for font A on many 80 mm printers,
    48 on Epson TM-T20, 32 on 58 mm rolls).
    """
    if width < 16:
        raise ValueError(f"paper width of {width} characters is too narrow for a ticket")
    labels = LABELS[language(slip.lang)]
    p = printer
    rule = "-" * width

    render_header(p, slip.office_name, slip.office_lines, width)

    p.set(bold=True)
    write_lines(p, slip.service_name, width)
    p.set(bold=False)
    p.textln(labels["number"])
    # The number four times the normal size (GS ! 0x33: about 12 mm high at 203 dpi), readable at
    # arm's length on 58 mm and 80 mm rolls alike; then back to the normal size (GS ! 0 and ESC ! 0).
    p.set(custom_size=True, width=NUMBER_SCALE, height=NUMBER_SCALE, bold=True, align="center")
    write_lines(p, slip.number, width // NUMBER_SCALE)
    p.set(custom_size=True, width=1, height=1, bold=False)
    p.set(normal_textsize=True)
    if slip.priority_label:
        p.set(bold=True)
        write_lines(p, slip.priority_label, width)
        p.set(bold=False)
    write_lines(p, format_issued(slip.issued_at, slip.lang), width)
    p.textln(rule)

    p.set(align="left")
    minutes = max(0, int(slip.wait_minutes))
    unit = labels["minute"] if minutes == 1 else labels["minutes"]
    write_lines(p, f"{labels['people_ahead']}: {max(0, int(slip.people_ahead))}", width)
    write_lines(p, f"{labels['wait']}: +/- {minutes} {unit}", width)
    if slip.documents:
        p.ln()
        write_lines(p, labels["documents"], width)
        for doc in slip.documents:
            write_lines(p, doc, width, indent="- ", subsequent_indent="  ")
    if slip.pickup_code:
        p.ln()
        p.set(bold=True)
        write_lines(p, f"{labels['pickup']}: {slip.pickup_code}", width)
        p.set(bold=False)

    p.set(align="center")
    if slip.status_url:
        p.ln()
        # Native QR: the printer draws it; alignment must be set before (center=True is refused).
        p.qr(ascii_safe(slip.status_url), native=True, size=6)
        p.ln()
    write_lines(p, slip.footer or labels["footer"], width)
    write_lines(p, labels["complaints"], width)  # one short line (fits a 58 mm roll), no second QR
    p.set(align="left")
    p.cut()

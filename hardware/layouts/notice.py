"""The TMS slip: what a returned applicant takes home (the documents still missing).

Printed on the same ESC/POS roll as tickets, through the same printers: a ``TmsNotice`` renders
itself like a ``TicketSlip`` does (``render(printer, width)``). No name, no NIK on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from antrean.hardware.layouts.ticket import format_issued, language, render_header, write_lines

NOTICE_LABELS = {
    "id": {
        "title": "PENGEMBALIAN BERKAS (TMS)",
        "subtitle": "Tidak Memenuhi Syarat",
        "number": "Nomor antrean",
        "missing": "Dokumen yang perlu dilengkapi:",
        "note": "Catatan petugas:",
        "footer": "Lengkapi dokumen di atas, lalu ambil nomor antrean baru. Terima kasih.",
    },
    "en": {
        "title": "FILE RETURNED (TMS)",
        "subtitle": "Requirements not met",
        "number": "Queue number",
        "missing": "Documents still needed:",
        "note": "Clerk's note:",
        "footer": "Bring the documents above and take a new queue number. Thank you.",
    },
}


@dataclass(frozen=True)
class TmsNotice:
    office_name: str
    office_lines: tuple[str, ...]
    service_name: str
    number: str
    issued_at: datetime          # when the decision was made, in the office's zone
    missing: tuple[str, ...]
    note: str = ""
    lang: str = "id"

    def render(self, printer, width: int = 42) -> None:
        render_notice(printer, self, width)


def render_notice(printer, notice: TmsNotice, width: int = 42) -> None:
    labels = NOTICE_LABELS[language(notice.lang)]
    p = printer
    rule = "-" * width
    render_header(p, notice.office_name, notice.office_lines, width)
    p.set(bold=True, double_height=True)
    write_lines(p, labels["title"], width)
    p.set(normal_textsize=True, bold=False)
    write_lines(p, labels["subtitle"], width)
    write_lines(p, notice.service_name, width)
    write_lines(p, f"{labels['number']}: {notice.number}", width)
    write_lines(p, format_issued(notice.issued_at, notice.lang), width)
    p.textln(rule)
    p.set(align="left")
    write_lines(p, labels["missing"], width)
    for doc in notice.missing:
        write_lines(p, doc, width, indent="[ ] ", subsequent_indent="    ")
    if notice.note.strip():
        p.ln()
        write_lines(p, labels["note"], width)
        write_lines(p, notice.note.strip(), width)
    p.ln()
    p.set(align="center")
    write_lines(p, labels["footer"], width)
    p.set(align="left")
    p.cut()

"""PDF documents with the office's letterhead, built with ReportLab (written once for every PDF).

``document(office, title, story)`` returns the bytes of an A4 PDF whose first flowables are the letterhead:
the logo (if the office uploaded one), "PEMERINTAH <regency>", the office's name, address and phone, and a
rule. Dates in documents are Indonesian (``indonesian_date``). ``qr(url)`` is a QR code flowable.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from antrean.shared.domain.catalogue import Office

_base = getSampleStyleSheet()
STYLES = {
    "head_small": ParagraphStyle("head_small", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=12,
                                 leading=15, alignment=TA_CENTER),
    "head": ParagraphStyle("head", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=16, leading=20,
                           alignment=TA_CENTER),
    "head_line": ParagraphStyle("head_line", parent=_base["Normal"], fontSize=9.5, leading=12, alignment=TA_CENTER),
    "title": ParagraphStyle("title", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=18, leading=23,
                            alignment=TA_CENTER, spaceAfter=2 * mm),
    "subtitle": ParagraphStyle("subtitle", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=14,
                               leading=18, alignment=TA_CENTER, spaceAfter=4 * mm),
    "body": ParagraphStyle("body", parent=_base["Normal"], fontSize=10.5, leading=14),
    "big": ParagraphStyle("big", parent=_base["Normal"], fontSize=14, leading=20, alignment=TA_CENTER),
    "label": ParagraphStyle("label", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=10.5, leading=14),
    "cell": ParagraphStyle("cell", parent=_base["Normal"], fontSize=9.5, leading=12),
    "cell_bold": ParagraphStyle("cell_bold", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=9.5,
                                leading=12),
    "small": ParagraphStyle("small", parent=_base["Normal"], fontSize=8.5, leading=11),
    "center": ParagraphStyle("center", parent=_base["Normal"], fontSize=10.5, leading=14, alignment=TA_CENTER),
}
MARGIN = 15 * mm


def indonesian_date(day: date) -> str:
    """``24 November 2026``."""
    return format_date(day, "d MMMM y", locale="id")


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), STYLES[style])


def letterhead(office: Office, logo_png: bytes | None = None) -> list[Flowable]:
    lines: list[Flowable] = []
    if office.regency:
        lines.append(para(f"PEMERINTAH {office.regency.upper()}", "head_small"))
    lines.append(para(office.name.upper(), "head"))
    contact = office.address + (f" · Telp. {office.phone}" if office.phone else "")
    lines.append(para(contact, "head_line"))
    width = A4[0] - 2 * MARGIN
    if logo_png:
        reader = ImageReader(io.BytesIO(logo_png))
        w, h = reader.getSize()
        side = 22 * mm
        logo = Image(io.BytesIO(logo_png), width=side * min(1, w / h), height=side * min(1, h / w))
        head = Table([[logo, lines, ""]], colWidths=[26 * mm, width - 52 * mm, 26 * mm])
    else:
        head = Table([[lines]], colWidths=[width])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [head, Spacer(1, 2 * mm), HRFlowable(width="100%", thickness=2, color=colors.black, spaceAfter=0.6 * mm),
            HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceAfter=5 * mm)]


def qr(url: str, size: float = 38 * mm) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def table(rows: Iterable[tuple[str, str]], label_width: float = 52 * mm) -> Table:
    """Two columns (label, text) with rules: the components of a standard, the fields of a report."""
    data = [[para(label, "label"), para(text)] for label, text in rows]
    out = Table(data, colWidths=[label_width, A4[0] - 2 * MARGIN - label_width], repeatRows=0)
    out.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef3f8"))]))
    return out


def grid(header: Sequence[str], rows: Iterable[Iterable[str]], widths_mm: Sequence[float],
         bold_rows: Iterable[int] = ()) -> Table:
    """A table with a header row and ruled cells (a report's figures); ``widths_mm`` per column, the text of
    every cell escaped; rows listed in ``bold_rows`` (0 = the first data row) set in bold."""
    bold = set(bold_rows)
    data = [[para(h, "cell_bold") for h in header]]
    data += [[para(str(c), "cell_bold" if i in bold else "cell") for c in row] for i, row in enumerate(rows)]
    out = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    out.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8"))]))
    return out


def document(office: Office, title: str, story: list[Flowable], logo_png: bytes | None = None) -> bytes:
    """An A4 PDF: the letterhead, then ``story``; the document's title in its metadata."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author=office.name, creator="Antrean")
    doc.build([*letterhead(office, logo_png), *story])
    return out.getvalue()


def space(millimetres: float) -> Spacer:
    return Spacer(1, millimetres * mm)


def qr_with_text(url: str, text: str) -> Table:
    """A QR code to ``url`` with a line of text beside it (posters: "scan to open this page")."""
    out = Table([[qr(url), para(text)]], colWidths=[44 * mm, A4[0] - 2 * MARGIN - 44 * mm])
    out.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return out

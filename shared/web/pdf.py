"""PDF documents with the office's letterhead, built with ReportLab (written once for every PDF).

``document(office, title, story)`` returns the bytes of an A4 PDF whose first flowables are the letterhead:
the logo (if the office uploaded one), "PEMERINTAH <regency>", the office's name, address and phone, and a
rule. Dates in documents are Indonesian (``indonesian_date``). ``qr(url)`` is a QR code flowable.
``report(office, title, story)`` is a longer document: the same letterhead, a table of contents built from
its ``heading``s (with their page numbers, and as the PDF's bookmarks), and "Halaman n dari N" on every
page; ``grid`` is a table with a header row repeated on each page.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
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
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

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
    "small": ParagraphStyle("small", parent=_base["Normal"], fontSize=8.5, leading=11),
    "section": ParagraphStyle("section", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=13,
                              leading=17, spaceBefore=5 * mm, spaceAfter=2.5 * mm),
    "cell": ParagraphStyle("cell", parent=_base["Normal"], fontSize=8.5, leading=10.5),
    "cell_bold": ParagraphStyle("cell_bold", parent=_base["Normal"], fontName="Helvetica-Bold", fontSize=8.5,
                                leading=10.5),
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


def grid(header: Sequence[str], rows: Iterable[Iterable[object]], widths: Sequence[float] | None = None,
         bold_rows: Iterable[int] = ()) -> Table:
    """A table of figures: a bold header row (repeated on every page the table runs onto), then
    ``rows``, those listed in ``bold_rows`` (0 = the first data row) in bold; each cell's text escaped
    (None shows as "-"). ``widths`` per column in millimetres or any unit: they are scaled to the
    page's width; equal without them."""
    bold = set(bold_rows)

    def cell(value: object, style: str) -> Paragraph:
        return para("-" if value is None else str(value), style)

    body = [[cell(h, "cell_bold") for h in header]]
    body += [[cell(v, "cell_bold" if i in bold else "cell") for v in row] for i, row in enumerate(rows)]
    full = A4[0] - 2 * MARGIN
    given = list(widths or [1.0] * len(header))
    col_widths = [full * w / sum(given) for w in given]
    out = Table(body, colWidths=col_widths, repeatRows=1)
    out.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8"))]))
    return out


class _Heading(Paragraph):
    """A section heading: an entry of the table of contents and a bookmark."""


def heading(text: str) -> Paragraph:
    return _Heading(escape(text), STYLES["section"])


class _Report(BaseDocTemplate):
    def __init__(self, out: io.BytesIO, footer: str, **kw: Any):
        super().__init__(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + 5 * mm, **kw)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._footer)])
        self._mark = 0
        self.footer = footer
        self.pages = 0  # the previous pass's number of pages: multiBuild lays the story out until the
        # contents' page numbers stop changing, so on the last pass it is this document's

    def _footer(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, MARGIN, self.footer)
        total = f" dari {self.pages}" if self.pages else ""
        canvas.drawRightString(A4[0] - MARGIN, MARGIN, f"Halaman {doc.page}{total}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (ReportLab's hook)
        if isinstance(flowable, _Heading):
            text = flowable.getPlainText()
            self._mark += 1
            key = f"section-{self._mark}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=0)
            self.notify("TOCEntry", (0, text, self.page, key))

    def handle_documentBegin(self) -> None:  # noqa: N802 (ReportLab's hook)
        self._mark = 0
        self.pages = getattr(self, "page", 0)  # before this pass starts counting again
        super().handle_documentBegin()


def report(office: Office, title: str, story: list[Flowable], footer: str, logo_png: bytes | None = None,
           contents_title: str = "Daftar Isi") -> bytes:
    """An A4 report: the letterhead, ``story``'s flowables up to the first ``heading``, a table of
    contents of the headings (with page numbers), the rest; ``footer`` and "Halaman n dari N" at the
    foot of each page."""
    toc = TableOfContents()
    toc.levelStyles = [ParagraphStyle("toc0", parent=STYLES["body"], leftIndent=0, firstLineIndent=0)]
    first = next((i for i, f in enumerate(story) if isinstance(f, _Heading)), len(story))
    flowables = [*letterhead(office, logo_png), *story[:first], para(contents_title, "label"), toc,
                 Spacer(1, 4 * mm), *story[first:]]
    out = io.BytesIO()
    doc = _Report(out, footer, title=title, author=office.name, creator="Antrean")
    doc.multiBuild(flowables)  # passes until the contents' page numbers settle (at least two)
    return out.getvalue()

"""The printed ticket as a PNG: the same layout code, drawn with Pillow instead of sent to a printer.

``render_ticket`` (hardware/layouts/ticket.py) writes through python-escpos's public methods
(``set``, ``textln``, ``ln``, ``qr``, ``cut``, ``hw``). ``PreviewPrinter`` implements exactly
those and records what a thermal printer would do with them: lines of text with their alignment,
bold and size (double, or the multiples of ``GS !``: the number is four times the normal size), the
QR code and the cut. ``render_png`` draws that on a paper-white strip at the printer's resolution
(font A: 12 x 24 dots per character; QR modules of ``size`` dots), so the kiosk screen, the
documentation and the roll show one and the same ticket.

    python -m antrean.hardware.layouts.preview --out ticket.png     # an example ticket of Kecamatan Kampak
"""
from __future__ import annotations

import argparse
import io
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image, ImageDraw, ImageFont

from antrean.hardware.layouts.ticket import TicketSlip, render_ticket

CHAR_W, CHAR_H = 12, 24  # font A of an 80 mm ESC/POS printer, in dots (203 dpi)
MARGIN = 24
PAPER = (255, 255, 255)
INK = (17, 17, 17)
FONT_CANDIDATES = {  # monospace fonts on Debian/Ubuntu, Windows and macOS; else Pillow's own
    False: ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf", "consola.ttf", "Menlo.ttc", "cour.ttf"),
    True: ("DejaVuSansMono-Bold.ttf", "LiberationMono-Bold.ttf", "consolab.ttf", "Menlo.ttc", "courbd.ttf"),
}


@dataclass(frozen=True)
class _Style:
    align: str = "left"
    bold: bool = False
    width: int = 1   # multiples of the normal character (1-8, as GS ! and python-escpos allow)
    height: int = 1


@dataclass
class PreviewPrinter:
    """A stand-in for a python-escpos printer that records the ticket instead of printing it."""

    items: list[tuple] = field(default_factory=list)  # ("text", str, _Style) | ("qr", str, size, _Style) | ("cut",)
    style: _Style = field(default_factory=_Style)
    _partial: str = ""

    def hw(self, hw: str) -> None:
        if hw.upper() in ("INIT", "RESET"):
            self.style = _Style()

    def set(self, align=None, bold=None, normal_textsize=None, double_width=None, double_height=None,
            custom_size=None, width=None, height=None, **_ignored) -> None:
        st = self.style
        if align is not None:
            st = replace(st, align=align)
        if bold is not None:
            st = replace(st, bold=bool(bold))
        if custom_size:  # python-escpos: GS ! with both multiples (1-8)
            if not (isinstance(width, int) and isinstance(height, int) and 1 <= width <= 8 and 1 <= height <= 8):
                raise ValueError("custom_size needs a width and a height of 1-8")
            st = replace(st, width=width, height=height)
        elif normal_textsize or double_width or double_height:  # python-escpos: size is set as a whole
            st = replace(st, width=2 if double_width else 1, height=2 if double_height else 1)
        self.style = st

    def text(self, txt: str) -> None:
        lines = (self._partial + str(txt)).split("\n")
        for line in lines[:-1]:
            self.items.append(("text", line, self.style))
        self._partial = lines[-1]

    def textln(self, txt: str = "") -> None:
        self.text(f"{txt}\n")

    def ln(self, count: int = 1) -> None:
        self.text("\n" * max(1, count))

    def qr(self, content, ec=None, size: int = 3, model=None, native: bool = False, center: bool = False,
           impl=None, image_arguments=None) -> None:
        self.items.append(("qr", str(content), size, self.style))

    def cut(self, mode: str = "FULL", feed: bool = True) -> None:
        self.items.append(("cut",))


def _font(bold: bool, px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_CANDIDATES[bold]:
        try:
            return ImageFont.truetype(name, px)
        except OSError:
            continue
    return ImageFont.load_default(size=px)


def _qr_image(content: str, module: int) -> Image.Image:
    code = qrcode.QRCode(border=0, box_size=module, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(content)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def render_png(slip: TicketSlip, width: int = 42, scale: float = 1.0) -> bytes:
    """The ticket as PNG bytes: ``width`` characters per line, like the printer URL's ``width``."""
    printer = PreviewPrinter()
    render_ticket(printer, slip, width)
    paper_w = width * CHAR_W + 2 * MARGIN
    blocks: list[tuple[str, str | Image.Image | None, _Style, int]] = []  # (kind, payload, style, height)
    for item in printer.items:
        if item[0] == "text":
            _, line, st = item
            blocks.append(("text", line, st, CHAR_H * st.height))
        elif item[0] == "qr":
            _, content, size, st = item
            img = _qr_image(content, max(1, int(size)))
            blocks.append(("qr", img, st, img.height))
        else:
            blocks.append(("cut", None, _Style(), CHAR_H * 2))
    height = sum(b[3] for b in blocks) + 2 * MARGIN
    image = Image.new("RGB", (paper_w, height), PAPER)
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[bool, int], ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    y = MARGIN
    for kind, payload, st, h in blocks:
        if kind == "text":
            cw = CHAR_W * st.width
            px = int(round(CHAR_H * st.height * 0.8))
            font = fonts.setdefault((st.bold, px), _font(st.bold, px))
            line = str(payload)
            line_w = len(line) * cw
            x = {"center": (paper_w - line_w) // 2, "right": paper_w - MARGIN - line_w}.get(st.align, MARGIN)
            for i, ch in enumerate(line):  # one character per cell, as the printer does
                if ch != " ":
                    # Drawn at the cell's height; our layout scales width and height alike.
                    draw.text((x + i * cw + cw / 2, y + h / 2), ch, font=font, fill=INK, anchor="mm")
        elif kind == "qr" and isinstance(payload, Image.Image):
            img = payload
            x = {"center": (paper_w - img.width) // 2, "right": paper_w - MARGIN - img.width}.get(st.align, MARGIN)
            image.paste(img, (x, y))
        else:
            for x in range(0, paper_w, 16):
                draw.line((x, y + h // 2, x + 8, y + h // 2), fill=(150, 150, 150), width=2)
        y += h
    if scale != 1.0:
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def example_slip(lang: str = "id") -> TicketSlip:
    """A ticket of Kecamatan Kampak as the kiosk prints it (for the documentation)."""
    return TicketSlip(
        office_name="Kecamatan Kampak",
        office_lines=("Kabupaten Trenggalek", "Jl. Raya Kampak - Munjungan, Kampak 66373", "Telp. 0355-631047"),
        service_name="Surat Keterangan Ahli Waris",
        number="B001",
        issued_at=datetime(2026, 11, 24, 8, 15, tzinfo=ZoneInfo("Asia/Jakarta")),
        people_ahead=3,
        wait_minutes=27,
        documents=("KTP dan Kartu Keluarga (KK) para ahli waris", "Surat keterangan kematian pewaris",
                   "Surat pengantar dari desa/kelurahan"),
        status_url="http://192.168.1.10:5000/kiosk/t/hNmnuUnKCyUmlZIectim9g",
        priority_label="Prioritas: lansia" if lang == "id" else "Priority: elderly",
        pickup_code="K7QX3M",
        lang=lang,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Draw an example ticket as a PNG.")
    parser.add_argument("--out", default="ticket-example.png", help="PNG file to write")
    parser.add_argument("--width", type=int, default=42, help="characters per line (42: 80 mm, 32: 58 mm)")
    parser.add_argument("--lang", default="id", choices=("id", "en"))
    args = parser.parse_args(argv)
    Path(args.out).write_bytes(render_png(example_slip(args.lang), args.width))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

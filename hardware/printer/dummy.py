"""``SlipDummy``: python-escpos's ``Dummy`` (a printer that keeps the bytes) with a quick path for plain ASCII.

Every text of a slip is plain ASCII (``antrean.hardware.layouts.ticket.ascii_safe``), yet python-escpos's
``MagicEncode`` looks at each character against the profile's code pages (and, for the first
text of every ``Dummy``, builds a code page's character map): most of the CPU of a slip went there.
For ASCII text the outcome is fixed, so ``SlipDummy`` produces the same bytes without the search:

- the first text selects a code page (``ESC t n``): for ASCII, python-escpos takes the first code
  page of the profile that it can load, whatever the character. That choice is worked out by
  python-escpos itself once per profile and remembered;
- after that, ASCII text is written as it is (python-escpos maps each ASCII character to itself
  in every code page).

Any other text goes through python-escpos's own ``MagicEncode`` unchanged.
"""
from __future__ import annotations

from escpos.magicencode import MagicEncode
from escpos.printer import Dummy

# profile name -> the code page python-escpos selects for ASCII text (None: not known yet)
_ASCII_CODE_PAGE: dict[str | None, str] = {}


class AsciiMagicEncode(MagicEncode):
    def __init__(self, driver, profile_key: str | None, encoder=None):
        super().__init__(driver, encoder=encoder)
        self.profile_key = profile_key

    def write(self, text: str) -> None:
        if not text.isascii() or self.disabled:
            super().write(text)
            return
        if self.encoding is None:
            if not text:
                return
            known = _ASCII_CODE_PAGE.get(self.profile_key)
            if known is None:
                super().write(text)  # python-escpos picks the code page (and writes the text)
                if self.encoding is not None:
                    _ASCII_CODE_PAGE[self.profile_key] = self.encoding
                return
            self.encoder.used_encodings.add(known)  # as find_suitable_encoding would have
            self.write_with_encoding(known, None)   # ESC t n
        if text:
            self.driver._raw(text.encode("ascii"))


class SlipDummy(Dummy):
    """``Dummy(profile=...)``: the same bytes, written faster when the text is plain ASCII."""

    def __init__(self, profile: str | None = None):
        super().__init__(profile=profile)
        self.magic = AsciiMagicEncode(self, profile, encoder=self.magic.encoder)  # (a fresh one, unused)

"""Translations: UI text is written in Bahasa Indonesia (the default); English is a catalogue.

The .po files under translations/ are the source; the compiled .mo files beside them are committed
and shipped in the package, because nothing is written into the installed package at run time
(a root-owned install run as an unprivileged user could not write there). After editing a .po,
recompile and commit both files, from the repository root:

    .venv/bin/pybabel compile -d shared/web/translations

(new or changed UI text: `pybabel extract -F babel.cfg -o /tmp/messages.pot .`, then
`pybabel update -i /tmp/messages.pot -d shared/web/translations`, translate, compile.)
tests/unit/test_translations.py fails while a .mo is older than its .po's content.
"""
from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).with_name("translations")
TRANSLATED = ("en",)  # the catalogues under translations/; Indonesian is the text itself


def translator(lang: str) -> Callable[[str], str]:
    """``gettext`` of one language's compiled catalogue, for text made outside a request (the printed
    ticket); Indonesian, or a language without a catalogue, is the text itself."""
    return gettext.translation("messages", localedir=TRANSLATIONS, languages=[lang], fallback=True).gettext


def compile_po(po: Path) -> bytes:
    """The .mo file ``po`` compiles to, made in memory (as `pybabel compile` makes it)."""
    with po.open("rb") as f:
        catalog = read_po(f)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()

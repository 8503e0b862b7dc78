"""The compiled .mo files are committed (nothing is compiled into the installed package at run
time): each must hold what its .po holds. Recompile: see antrean.shared.web.i18n."""
from __future__ import annotations

import io

import pytest
from babel.messages.mofile import read_mo

from antrean.shared.web.i18n import TRANSLATIONS, compile_po

PO_FILES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def _contents(mo_bytes: bytes) -> dict:
    catalog = read_mo(io.BytesIO(mo_bytes))
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)):
            m.string if isinstance(m.string, str) else tuple(m.string) for m in catalog if m.id}


def test_there_is_a_catalogue():
    assert PO_FILES, f"no messages.po under {TRANSLATIONS}"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: p.parts[-3])
def test_the_committed_mo_is_up_to_date_with_its_po(po):
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo} is missing: run `pybabel compile -d shared/web/translations` and commit it"
    expected, actual = _contents(compile_po(po)), _contents(mo.read_bytes())
    stale = sorted(str(k[1]) for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
    assert not stale, (f"{mo} is out of date with {po.name} ({len(stale)} messages differ, e.g. {stale[:3]}): "
                       "run `pybabel compile -d shared/web/translations` and commit the .mo")

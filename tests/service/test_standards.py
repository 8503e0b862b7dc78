"""Standar Pelayanan and Maklumat: every save a new version (old ones kept), the Camat adopts one with
a decree, each step audited; only the administrator edits and only the Camat adopts."""
from datetime import date

import pytest
from sqlalchemy import select

from antrean.shared.services import standards
from antrean.shared.services.errors import Forbidden, NotFound
from antrean.shared.store.models import AuditEntry


def test_each_save_is_a_new_version_and_the_adopted_one_is_published(desk, staff, sessions):
    before = standards.standing(desk, "sktm")
    assert before.latest is None and before.adopted is None
    assert before.published == before.prefill and before.published["biaya"] == "Tidak dipungut biaya"

    first = {**before.draft, "jumlah_pelaksana": "3 orang"}
    assert standards.save_standard(desk, staff["admin"], "sktm", first, "draf awal") == 1
    second = {**first, "biaya": "Tidak dipungut biaya (gratis)"}
    assert standards.save_standard(desk, staff["admin"], "sktm", second) == 2
    now = standards.standing(desk, "sktm")
    assert [v.version for v in now.history] == [2, 1] and now.history[1].data["jumlah_pelaksana"] == "3 orang"
    assert now.draft["biaya"] == "Tidak dipungut biaya (gratis)"
    assert now.published == now.prefill  # nothing adopted yet

    standards.adopt_standard(desk, staff["camat"], "sktm", 1, "100.3.3.2/7/406.07/2026", "2026-11-20")
    now = standards.standing(desk, "sktm")
    assert now.adopted.version == 1 and now.adopted.decree_number == "100.3.3.2/7/406.07/2026"
    assert now.adopted.decree_date == date(2026, 11, 20)
    assert now.published["jumlah_pelaksana"] == "3 orang" and now.published["biaya"] == "Tidak dipungut biaya"
    standards.adopt_standard(desk, staff["camat"], "sktm", 2, "100.3.3.2/8/406.07/2026", "2026-11-24")
    assert standards.standing(desk, "sktm").published["biaya"] == "Tidak dipungut biaya (gratis)"
    with pytest.raises(standards.StandardFormError, match="sudah ditetapkan"):
        standards.adopt_standard(desk, staff["camat"], "sktm", 2, "x/1", "2026-11-24")
    assert standards.standing(desk, "ktp").latest is None  # another service is untouched

    with sessions() as s:
        trail = [(a.action, a.username, a.after) for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert [t[:2] for t in trail] == [("standar:simpan", "admin"), ("standar:simpan", "admin"),
                                      ("standar:tetapkan", "camat"), ("standar:tetapkan", "camat")]
    assert trail[2][2] == {"subject": "sktm", "version": 1, "adopted": True,
                           "decree_number": "100.3.3.2/7/406.07/2026", "decree_date": "2026-11-20"}


def test_roles_bad_input_and_unknown_things_change_nothing(desk, staff, sessions):
    draft = standards.standing(desk, "ktp").draft
    with pytest.raises(Forbidden):
        standards.save_standard(desk, staff["camat"], "ktp", draft)
    with pytest.raises(Forbidden):
        standards.save_standard(desk, staff["kasi"], "ktp", draft)
    standards.save_standard(desk, staff["admin"], "ktp", draft)
    with pytest.raises(Forbidden):
        standards.adopt_standard(desk, staff["admin"], "ktp", 1, "12", "2026-11-20")
    with pytest.raises(standards.StandardFormError) as caught:
        standards.save_standard(desk, staff["admin"], "ktp", {**draft, "persyaratan": ""})
    assert caught.value.errors == {"persyaratan": "Persyaratan wajib diisi."}
    with pytest.raises(standards.StandardFormError) as caught:
        standards.adopt_standard(desk, staff["camat"], "ktp", 1, "12", "2026-12-31")
    assert "sesudah hari ini" in caught.value.errors["decree_date"]
    with pytest.raises(NotFound):
        standards.adopt_standard(desk, staff["camat"], "ktp", 9, "12", "2026-11-20")
    with pytest.raises(NotFound):
        standards.save_standard(desk, staff["admin"], "tidak_ada", draft)
    now = standards.standing(desk, "ktp")
    assert len(now.history) == 1 and now.adopted is None


def test_the_maklumat_is_versioned_and_adopted_with_its_date_and_signatory(desk, staff):
    m = standards.maklumat(desk)
    assert m.latest is None and "sanggup" in m.published["text"]
    with pytest.raises(standards.StandardFormError) as caught:
        standards.save_maklumat(desk, staff["admin"], m.draft["text"], "", "Camat Kampak")
    assert set(caught.value.errors) == {"signatory_name"}
    assert standards.save_maklumat(desk, staff["admin"], m.draft["text"], "Drs. Budi", "Camat Kampak") == 1
    assert standards.save_maklumat(desk, staff["admin"], m.draft["text"] + " Terima kasih.", "Drs. Budi",
                                   "Camat Kampak") == 2
    with pytest.raises(Forbidden):
        standards.adopt_maklumat(desk, staff["admin"], 2, "2026-11-24")
    standards.adopt_maklumat(desk, staff["camat"], 2, "2026-11-24")
    m = standards.maklumat(desk)
    assert m.adopted.version == 2 and m.adopted.decree_date == date(2026, 11, 24)
    assert m.published["text"].endswith("Terima kasih.") and m.published["signatory_name"] == "Drs. Budi"
    assert standards.standing(desk, "sktm").latest is None  # the Maklumat is not a service


def test_a_save_that_loses_the_race_for_its_number_tries_once_more_then_says_so(desk, staff, monkeypatch):
    """Two saves at the same moment read the same newest number; the unique (subject, version) refuses the
    second insert. It is tried once more (and gets the next number); a second refusal is a 409, not a 500."""
    from sqlalchemy.exc import IntegrityError

    draft = standards.standing(desk, "kk").draft
    real_insert = standards._insert
    refusals = [1]

    def insert(*args):
        if refusals:
            refusals.pop()
            real_insert(desk, staff["admin"], "kk", {**draft, "biaya": "versi rival"}, "", "standar:simpan")
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real_insert(*args)

    monkeypatch.setattr(standards, "_insert", insert)
    assert standards.save_standard(desk, staff["admin"], "kk", draft) == 2
    assert [v.data["biaya"] for v in standards.standing(desk, "kk").history] == ["Tidak dipungut biaya", "versi rival"]

    def always_refused(*args):
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(standards, "_insert", always_refused)
    with pytest.raises(standards.Conflict, match="coba simpan lagi"):
        standards.save_standard(desk, staff["admin"], "kk", draft)

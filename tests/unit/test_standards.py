"""Standar Pelayanan rules: every service's 14 components prefilled from the catalogue, the completion
time in minutes or working days, and the checks of what the administrator and the Camat enter."""
from dataclasses import replace
from datetime import date

import pytest

from antrean.shared.domain import standards as rules
from antrean.shared.domain.catalogue import load_catalogue

CATALOGUE = load_catalogue()
OFFICE = CATALOGUE.office  # Mon-Thu 07:30-15:30 (480 min), Fri 07:30-14:00 (390 min)


@pytest.mark.parametrize("code", list(CATALOGUE.services))
def test_every_service_is_prefilled_from_its_catalogue_entry(code):
    service = CATALOGUE.services[code]
    sop = CATALOGUE.sop_of(service)
    values = rules.prefill(CATALOGUE, service)
    assert tuple(values) == rules.KEYS and all(v.strip() for v in values.values())
    for i, requirement in enumerate(service.requirements, 1):
        assert f"{i}. {requirement}" in values["persyaratan"]
    for i, step in enumerate(service.steps, 1):
        assert f"{i}. {step.activity} ({CATALOGUE.actors[step.actor]}" in values["prosedur"]
    assert values["waktu"].startswith(rules.completion_time(service.total_minutes, OFFICE))
    assert values["biaya"] == "Tidak dipungut biaya"
    assert values["produk"] == service.steps[-1].output
    assert "https://www.lapor.go.id" in values["pengaduan"] and OFFICE.phone in values["pengaduan"]
    if sop is not None:
        for basis in sop.legal_basis:
            assert basis in values["dasar_hukum"]
        assert sop.qualifications and values["kompetensi"].startswith(sop.qualifications)
        assert "Alat Perekaman Biometrik" in values["sarana"]
    staff = {s.actor for s in service.steps} - {"pemohon"}
    assert values["jumlah_pelaksana"] == f"{len(staff)} orang"
    assert rules.validate_components(values) == values  # the prefill is a valid standard as it stands


def test_the_seed_sops_qualifications_and_equipment_are_in_the_catalogue():
    assert CATALOGUE.sops["SOP.01"].qualifications == "Sarjana, Diploma, Minimal SLTA sederajat"
    assert CATALOGUE.sops["SOP.02"].qualifications == "Umum, Minimal SLTA sederajat"
    assert len(CATALOGUE.sops["SOP.03"].equipment) == 11


def test_ektp_reads_sixteen_minutes():  # the SOP's 15 and the hand-over's 1
    values = rules.prefill(CATALOGUE, CATALOGUE.services["ektp"])
    assert values["waktu"] == "16 menit sejak berkas dinyatakan lengkap"
    assert values["produk"] == "Rekomendasi Dokumen Kependudukan baru"  # the last step's output


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 menit"), (15, "15 menit"), (2.5, "3 menit"), (60, "1 jam"), (95, "1 jam 35 menit"),
    (390, "6 jam 30 menit"),  # a Friday's whole day still fits one day
    (391, "2 hari kerja"),  # one minute more than the shortest working day
    (780, "2 hari kerja"), (781, "3 hari kerja"), (5 * 390, "5 hari kerja"),
])
def test_completion_time_in_minutes_or_working_days(minutes, text):
    assert rules.working_day_minutes(OFFICE) == 390  # Friday's 07:30-14:00 is the shortest day
    assert rules.completion_time(minutes, OFFICE) == text


def test_working_days_with_other_hours():
    long_days = replace(OFFICE, hours=((("08:00", "12:00"), ("13:00", "17:00")),) * 5 + ((), ()))
    assert rules.working_day_minutes(long_days) == 480
    assert rules.working_days(960, long_days) == 2 and rules.working_days(961, long_days) == 3
    assert rules.working_day_minutes(replace(OFFICE, hours=None)) == 480


def test_every_component_is_required_and_bounded():
    values = rules.prefill(CATALOGUE, CATALOGUE.services["sktm"])
    with pytest.raises(rules.StandardInvalid) as caught:
        rules.validate_components({**values, "biaya": "  ", "produk": "x" * 4001, "jumlah_pelaksana": "banyak"})
    assert caught.value.errors == {
        "biaya": "Biaya/tarif wajib diisi.",
        "produk": "Produk pelayanan paling banyak 4000 karakter (sekarang 4001).",
        "jumlah_pelaksana": 'Jumlah pelaksana diawali angka 1 sampai 500, misalnya "3 orang".'}
    with pytest.raises(rules.StandardInvalid, match="jumlah_pelaksana"):
        rules.validate_components({**values, "jumlah_pelaksana": "0 orang"})
    clean = rules.validate_components({**values, "biaya": "  Rp 10.000 \r\n sesuai Perda  "})
    assert clean["biaya"] == "Rp 10.000\n sesuai Perda"


def test_the_decree_needs_a_number_and_a_real_past_date():
    today = date(2026, 11, 24)
    assert rules.validate_decree(" 100.3.3.2/12/406.07/2026 ", "2026-11-20", today) == \
        rules.Decree("100.3.3.2/12/406.07/2026", date(2026, 11, 20))
    for number, day, field, message in [
        ("", "2026-11-20", "decree_number", "wajib diisi"),
        ("1\n2", "2026-11-20", "decree_number", "satu baris"),
        ("12", "20-11-2026", "decree_date", "tanggal yang sah"),
        ("12", "2026-02-30", "decree_date", "tanggal yang sah"),
        ("12", "2026-11-25", "decree_date", "sesudah hari ini"),
        ("12", "2001-01-01", "decree_date", "sebelum"),
    ]:
        with pytest.raises(rules.StandardInvalid) as caught:
            rules.validate_decree(number, day, today)
        assert message in caught.value.errors[field], (number, day)


def test_the_maklumat_prefill_and_its_checks():
    prefill = rules.maklumat_prefill(OFFICE)
    assert "sanggup menyelenggarakan pelayanan sesuai standar pelayanan" in prefill["text"]
    assert prefill["signatory_title"] == "Camat Kampak"
    with pytest.raises(rules.StandardInvalid) as caught:
        rules.validate_maklumat("pendek", "", "Camat Kampak")
    assert set(caught.value.errors) == {"text", "signatory_name"}
    assert rules.validate_maklumat(prefill["text"], " Drs. Nama Camat ", "Camat Kampak")["signatory_name"] == \
        "Drs. Nama Camat"

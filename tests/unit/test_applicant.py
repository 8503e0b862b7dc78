"""A NIK is checked for plausibility (province, region, birth date, serial), and a complaint's
channel, text, outcome and SP4N-LAPOR! number are checked, with messages in Bahasa Indonesia that
never repeat what was typed."""
import pytest

from antrean.shared.domain.applicant import (
    PROVINCE_CODES,
    ApplicantError,
    check_channel,
    check_complaint,
    check_lapor_number,
    check_nik,
    check_outcome,
    nik_birth_date,
)


@pytest.mark.parametrize("nik", [
    "3503124507540001",  # Jawa Timur, a woman born 5 July 1954 (45 = 5 + 40)
    "3503121708650002",  # a man born 17 August 1965
    "3174012902000003",  # DKI, born 29 February 2000 (a leap year)
    "1101010101990001",  # Aceh, the first province code
    "9601013112050001",  # Papua Barat Daya (2022), 31 December 2005
    "3503127112990001",  # a woman born 31 December 1999 (71 = 31 + 40)
])
def test_plausible_niks_are_accepted(nik):
    assert check_nik(nik) == nik


def test_the_separators_people_type_are_removed():
    assert check_nik(" 3503 1245 0754 0001 ") == "3503124507540001"
    assert check_nik("3503.1245.0754.0001") == "3503124507540001"
    assert check_nik("3503-1245-0754-0001") == "3503124507540001"


@pytest.mark.parametrize(("nik", "code", "words"), [
    ("0000000000000000", "bad_nik", "nol semua"),
    ("12345", "bad_nik", "16 angka"),
    ("35031245075400011", "bad_nik", "16 angka"),
    ("35031245O7540001", "bad_nik", "16 angka"),  # a letter O for a zero
    ("３５０３１２４５０７５４０００１", "bad_nik", "16 angka"),  # full-width digits
    ("", "bad_nik", "16 angka"),
    ("9903124507540001", "bad_nik_province", "kode provinsi"),  # 99: no province
    ("2003124507540001", "bad_nik_province", "kode provinsi"),  # 20: no province
    ("1003124507540001", "bad_nik_province", "kode provinsi"),
    ("3500124507540001", "bad_nik_region", "kabupaten/kota"),
    ("3503004507540001", "bad_nik_region", "kecamatan"),
    ("3503123202540001", "bad_nik_birth_date", "Tanggal lahir"),  # 32 February
    ("3503120013540001", "bad_nik_birth_date", "Tanggal lahir"),  # month 13
    ("3503120000540001", "bad_nik_birth_date", "Tanggal lahir"),  # day 0, month 0
    ("3503123102540001", "bad_nik_birth_date", "Tanggal lahir"),  # 31 February
    ("3503127202540001", "bad_nik_birth_date", "Tanggal lahir"),  # a woman's 32 February (72 = 32 + 40)
    ("3503123002540001", "bad_nik_birth_date", "Tanggal lahir"),  # 30 February
    ("3503122902010001", "bad_nik_birth_date", "Tanggal lahir"),  # 29 February 1901/2001: no leap year
    ("3503124507540000", "bad_nik", "nomor urut"),
])
def test_implausible_niks_are_refused_in_indonesian_without_echoing_the_number(nik, code, words):
    with pytest.raises(ApplicantError) as refused:
        check_nik(nik)
    assert refused.value.code == code
    assert words in str(refused.value)
    if len(nik) >= 6:
        assert nik not in str(refused.value) and nik[:6] not in str(refused.value)


def test_the_birth_date_of_a_woman_has_forty_added_to_the_day():
    assert nik_birth_date("3503124507540001") == (5, 7, 54, True)
    assert nik_birth_date("3503121708650002") == (17, 8, 65, False)


def test_every_province_code_is_two_digits_between_11_and_96():
    assert all(code.isdigit() and 11 <= int(code) <= 96 for code in PROVINCE_CODES)
    assert {"11", "31", "35", "51", "61", "71", "81", "91", "94", "96"} <= set(PROVINCE_CODES)
    assert len(PROVINCE_CODES) == 38  # Indonesia's 38 provinces


def test_a_complaint_has_a_channel_and_a_text():
    assert check_channel(" Telepon ") == "telepon"
    for bad in ("", "email", None, "lisan"):
        with pytest.raises(ApplicantError, match="langsung, tertulis atau telepon"):
            check_channel(bad)
    assert check_complaint("  Jalan desa rusak parah  ") == "Jalan desa rusak parah"
    with pytest.raises(ApplicantError, match="Tuliskan isi pengaduan") as refused:
        check_complaint("   ")
    assert refused.value.code == "complaint_required"
    with pytest.raises(ApplicantError, match="terlalu singkat"):
        check_complaint("rusak")
    with pytest.raises(ApplicantError, match="terlalu panjang"):
        check_complaint("x" * 4001)


def test_an_outcome_is_the_berita_acara():
    assert check_outcome("Disepakati perbaikan dalam 7 hari.") == "Disepakati perbaikan dalam 7 hari."
    with pytest.raises(ApplicantError, match="berita acara"):
        check_outcome("")


def test_an_sp4n_lapor_number_is_cleaned_and_checked():
    assert check_lapor_number("") is None and check_lapor_number(None) is None
    assert check_lapor_number("#1234 567") == "1234567"
    assert check_lapor_number("lpr-2026-0042") == "LPR-2026-0042"
    for bad in ("12", "1234/567", "x" * 31, "-1234"):
        with pytest.raises(ApplicantError, match="SP4N-LAPOR!") as refused:
            check_lapor_number(bad)
        assert refused.value.code == "bad_lapor_number"

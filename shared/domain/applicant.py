"""The applicant's data a clerk types in: the NIK's plausibility, and a complaint (Pengaduan) with its
channel, its outcome (berita acara) and its SP4N-LAPOR! tracking number.

Plain Python. Each check returns the cleaned value or raises ``ApplicantError`` with a message in
Bahasa Indonesia for the clerk; a message never repeats the value typed (it may be personal data).

A NIK (Nomor Induk Kependudukan, Dukcapil) is 16 digits: the province (2), regency/city (2) and
district (2) of registration, the birth date as DDMMYY (40 added to the day for women), and a
4-digit serial. A plausible NIK is not proof of a real one; it catches typing slips and made-up
numbers such as ``0000000000000000``.
"""
from __future__ import annotations

import re
from datetime import date

# Province codes as Dukcapil writes them in NIKs (Kemendagri area codes): Sumatra 11-19, Riau
# Islands 21, Java 31-36, Bali and Nusa Tenggara 51-53, Kalimantan 61-65, Sulawesi 71-76, Maluku
# 81-82, Papua 91-96 (91 and 94 also in NIKs issued before the 2022 Papua provinces).
PROVINCE_CODES: dict[str, str] = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah", "34": "DI Yogyakarta", "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali", "52": "Nusa Tenggara Barat", "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat", "62": "Kalimantan Tengah", "63": "Kalimantan Selatan", "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara", "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara",
    "75": "Gorontalo", "76": "Sulawesi Barat",
    "81": "Maluku", "82": "Maluku Utara",
    "91": "Papua", "92": "Papua Barat", "93": "Papua Selatan", "94": "Papua Tengah", "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

NIK_LENGTH = 16


class ApplicantError(ValueError):
    """Data the clerk must correct; ``code`` names the problem for the API."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def clean_nik(value: object) -> str:
    """The NIK without the spaces, dots and dashes people type between its groups (``35 0312 ...``)."""
    return re.sub(r"[\s.\-]", "", str(value or ""))


def nik_birth_date(nik: str) -> tuple[int, int, int, bool]:
    """(day, month, two-digit year, female) from digits 7-12 of a 16-digit NIK."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    return (day - 40 if female else day), month, year, female


def _date_exists(day: int, month: int, yy: int) -> bool:
    # The century is not in the NIK: a date that exists in 19YY or 20YY (29 February 1900 did not,
    # 29 February 2000 did).
    for century in (1900, 2000):
        try:
            date(century + yy, month, day)
            return True
        except ValueError:
            continue
    return False


def check_nik(value: object) -> str:
    """The cleaned NIK if it is plausible, else ``ApplicantError``."""
    nik = clean_nik(value)
    if not nik.isascii() or not nik.isdigit() or len(nik) != NIK_LENGTH:
        raise ApplicantError("NIK harus 16 angka.", "bad_nik")
    if set(nik) == {"0"}:
        raise ApplicantError("NIK tidak boleh berisi nol semua.", "bad_nik")
    if nik[:2] not in PROVINCE_CODES:
        raise ApplicantError("Dua angka pertama NIK bukan kode provinsi yang dikenal (11-96). Periksa lagi KTP/KK.",
                             "bad_nik_province")
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise ApplicantError("Angka ke-3 sampai ke-6 NIK (kode kabupaten/kota dan kecamatan) tidak boleh 00.",
                             "bad_nik_region")
    day, month, yy, _female = nik_birth_date(nik)
    if not _date_exists(day, month, yy):
        raise ApplicantError("Tanggal lahir dalam NIK (angka ke-7 sampai ke-12, DDMMYY; tanggal + 40 untuk "
                             "perempuan) tidak ada. Periksa lagi KTP/KK.", "bad_nik_birth_date")
    if nik[12:] == "0000":
        raise ApplicantError("Empat angka terakhir NIK (nomor urut) tidak boleh 0000.", "bad_nik")
    return nik


# -- complaints (Pengaduan) -----------------------------------------------------------------------

# How the complaint reached the office (SOP Pelayanan Pengaduan: "secara lisan maupun tertulis").
CHANNELS: dict[str, str] = {"langsung": "Langsung (datang ke kantor)", "tertulis": "Tertulis (surat)",
                            "telepon": "Telepon"}
COMPLAINT_MIN = 10  # characters: "jalan rusak" is a complaint; "x" is not
COMPLAINT_MAX = 4000
OUTCOME_MIN = 10
OUTCOME_MAX = 4000
LAPOR_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,29}$")


def _text(value: object, minimum: int, maximum: int, missing: str, short: str, long: str, code: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ApplicantError(missing, f"{code}_required")
    if len(text) < minimum:
        raise ApplicantError(short, f"{code}_too_short")
    if len(text) > maximum:
        raise ApplicantError(long, f"{code}_too_long")
    return text


def check_channel(value: object) -> str:
    channel = str(value or "").strip().lower()
    if channel not in CHANNELS:
        raise ApplicantError("Pilih cara pengaduan disampaikan: langsung, tertulis atau telepon.", "bad_channel")
    return channel


def check_complaint(value: object) -> str:
    return _text(value, COMPLAINT_MIN, COMPLAINT_MAX,
                 "Tuliskan isi pengaduan.",
                 f"Isi pengaduan terlalu singkat (minimal {COMPLAINT_MIN} huruf).",
                 f"Isi pengaduan terlalu panjang (maksimal {COMPLAINT_MAX} huruf).", "complaint")


def check_outcome(value: object) -> str:
    return _text(value, OUTCOME_MIN, OUTCOME_MAX,
                 "Tuliskan hasil keputusan (berita acara kesepakatan).",
                 f"Hasil keputusan terlalu singkat (minimal {OUTCOME_MIN} huruf).",
                 f"Hasil keputusan terlalu panjang (maksimal {OUTCOME_MAX} huruf).", "outcome")


def clean_lapor_number(value: object) -> str:
    """An SP4N-LAPOR! tracking number as staff type it (``#1234567``, ``1234 567``) -> ``1234567``;
    empty stays empty."""
    return re.sub(r"[\s#]", "", str(value or "")).upper()


def check_lapor_number(value: object) -> str | None:
    """The cleaned tracking number, ``None`` when none was given, else ``ApplicantError``."""
    number = clean_lapor_number(value)
    if not number:
        return None
    if not LAPOR_RE.fullmatch(number):
        raise ApplicantError("Nomor pelacakan SP4N-LAPOR! berisi 4-30 angka atau huruf (tanpa spasi).",
                             "bad_lapor_number")
    return number

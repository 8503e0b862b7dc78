"""Standar Pelayanan (PermenPANRB 15/2014) and Maklumat Pelayanan (UU 25/2009 Pasal 22): the rules.

Plain Python over the catalogue: the 14 components, their prefill from the SOP catalogue, the completion
time in minutes or working days, and the checks of what the administrator writes and of the Camat's
decree. The messages are Indonesian (the administrator reads them on the form).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from antrean.shared.domain.catalogue import Catalogue, Office, Service

# (key, Indonesian name, English name). The first six are the service-delivery components the office
# publishes; the other eight are the management components (kept for the evaluator and the decree).
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("persyaratan", "Persyaratan", "Requirements"),
    ("prosedur", "Sistem, mekanisme dan prosedur", "System, mechanism and procedure"),
    ("waktu", "Jangka waktu penyelesaian", "Completion time"),
    ("biaya", "Biaya/tarif", "Cost/fee"),
    ("produk", "Produk pelayanan", "Service product"),
    ("pengaduan", "Penanganan pengaduan, saran dan masukan", "Complaints, suggestions and feedback"),
    ("dasar_hukum", "Dasar hukum", "Legal basis"),
    ("sarana", "Sarana dan prasarana, dan/atau fasilitas", "Facilities"),
    ("kompetensi", "Kompetensi pelaksana", "Staff competence"),
    ("pengawasan", "Pengawasan internal", "Internal supervision"),
    ("jumlah_pelaksana", "Jumlah pelaksana", "Number of staff"),
    ("jaminan_pelayanan", "Jaminan pelayanan", "Service guarantee"),
    ("jaminan_keamanan", "Jaminan keamanan dan keselamatan pelayanan", "Security and safety guarantee"),
    ("evaluasi", "Evaluasi kinerja pelaksana", "Staff performance evaluation"),
)
KEYS: tuple[str, ...] = tuple(k for k, _id, _en in COMPONENTS)
DELIVERY: tuple[str, ...] = KEYS[:6]
MANAGEMENT: tuple[str, ...] = KEYS[6:]
assert len(KEYS) == 14 and len(set(KEYS)) == 14

LAPOR_URL = "https://www.lapor.go.id"
FREE = "Tidak dipungut biaya"
MAX_TEXT = 4000  # characters per component
MAX_STAFF = 500
DEFAULT_DAY_MINUTES = 8 * 60  # a working day when the office has no hours set
EARLIEST_DECREE = date(2009, 7, 18)  # UU 25/2009 on public service

MAKLUMAT_TEXT = (
    "Dengan ini, kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan yang telah "
    "ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai peraturan "
    "perundang-undangan yang berlaku."
)
MAKLUMAT_MIN, MAKLUMAT_MAX = 20, 3000


class StandardInvalid(ValueError):
    """What the administrator wrote does not pass; ``errors`` maps a field to its Indonesian message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def label(key: str, lang: str = "id") -> str:
    for k, name_id, name_en in COMPONENTS:
        if k == key:
            return name_en if lang == "en" else name_id
    raise KeyError(key)


# -- completion time -------------------------------------------------------------------------------


def working_day_minutes(office: Office) -> int:
    """The minutes of the shortest open weekday (Friday, usually): a promise in working days holds on
    every day of the week. Without office hours, eight hours."""
    if office.hours is None:
        return DEFAULT_DAY_MINUTES
    lengths = []
    for ranges in office.hours:
        total = 0
        for start, end in ranges:
            h1, m1 = (int(x) for x in start.split(":"))
            h2, m2 = (int(x) for x in end.split(":"))
            total += max(0, (h2 * 60 + m2) - (h1 * 60 + m1))
        if total:
            lengths.append(total)
    return min(lengths) if lengths else DEFAULT_DAY_MINUTES


def working_days(minutes: float, office: Office) -> int:
    """How many working days ``minutes`` of work span (at least 1)."""
    return max(1, math.ceil(math.ceil(minutes) / working_day_minutes(office)))


def completion_time(minutes: float, office: Office) -> str:
    """The promised time in the office's words: minutes or hours within a working day, else working days."""
    whole = max(0, math.ceil(minutes))
    if whole > working_day_minutes(office):
        return f"{working_days(whole, office)} hari kerja"
    if whole < 60:
        return f"{whole} menit"
    hours, rest = divmod(whole, 60)
    return f"{hours} jam" + (f" {rest} menit" if rest else "")


# -- prefill ---------------------------------------------------------------------------------------


def _numbered(lines) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def complaint_channels(office: Office) -> str:
    channels = [f"SP4N-LAPOR!: {LAPOR_URL}",
                f"Datang langsung ke kantor {office.name}, {office.address}"]
    if office.phone:
        channels.append(f"Telepon {office.phone}")
    channels.append("Kotak saran dan Survei Kepuasan Masyarakat di ruang pelayanan")
    return _numbered(channels)


def product_of(service: Service) -> str:
    """What the applicant takes home: the last step's output (or the last step that has one)."""
    for step in reversed(service.steps):
        if step.output.strip():
            return step.output.strip()
    return service.name


def prefill(catalogue: Catalogue, service: Service) -> dict[str, str]:
    """The 14 components as far as the catalogue knows them; the rest in the usual words."""
    office = catalogue.office
    sop = catalogue.sop_of(service)
    actors = catalogue.actors
    steps = [f"{s.activity} ({actors.get(s.actor, s.actor_name)}"
             + (f", {completion_time(s.minutes, office)})" if s.minutes else ")")
             for s in service.steps]
    staff = [a for a in service.actors if a != "pemohon"]
    legal = list(sop.legal_basis) if sop and sop.legal_basis else \
        ["Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik"]
    equipment = list(sop.equipment) if sop and sop.equipment else \
        ["Ruang tunggu, meja dan kursi", "Komputer dan printer", "Alat tulis kantor"]
    return {
        "persyaratan": _numbered(service.requirements) if service.requirements else "Tidak ada persyaratan khusus",
        "prosedur": _numbered(steps),
        "waktu": completion_time(service.total_minutes, office) + " sejak berkas dinyatakan lengkap",
        "biaya": FREE,
        "produk": product_of(service),
        "pengaduan": complaint_channels(office),
        "dasar_hukum": _numbered(legal),
        "sarana": _numbered(equipment),
        "kompetensi": (sop.qualifications if sop and sop.qualifications else "Minimal SLTA sederajat")
        + "; memahami tugas dan prosedur pelayanan",
        "pengawasan": "Pengawasan melekat oleh atasan langsung secara berjenjang (Kasi, Sekretaris "
                      "Kecamatan, Camat) dan pengawasan oleh Inspektorat Kabupaten",
        "jumlah_pelaksana": f"{max(1, len(staff))} orang",
        "jaminan_pelayanan": "Pelayanan diberikan sesuai standar pelayanan ini, sebagaimana dinyatakan "
                             "dalam Maklumat Pelayanan",
        "jaminan_keamanan": "Dokumen dan data pemohon dijaga kerahasiaannya dan hanya dipakai untuk "
                            "keperluan pelayanan; ruang pelayanan aman dan nyaman",
        "evaluasi": "Evaluasi kinerja pelaksana dilakukan secara berkala paling sedikit satu kali setahun, "
                    "antara lain melalui Survei Kepuasan Masyarakat",
    }


# -- validation ------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_STAFF = re.compile(r"^\s*(\d{1,6})\b")


def _text(value: object) -> str:
    text = value if isinstance(value, str) else ""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"))


def validate_components(values: dict[str, object]) -> dict[str, str]:
    """The 14 components cleaned, or StandardInvalid naming each bad one."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key in KEYS:
        text = _text(values.get(key))
        name = label(key)
        if not text:
            errors[key] = f"{name} wajib diisi."
        elif len(text) > MAX_TEXT:
            errors[key] = f"{name} paling banyak {MAX_TEXT} karakter (sekarang {len(text)})."
        elif _CONTROL.search(text):
            errors[key] = f"{name} memuat karakter yang tidak sah."
        clean[key] = text
    if "jumlah_pelaksana" not in errors:
        match = _STAFF.match(clean["jumlah_pelaksana"])
        if not match or not 1 <= int(match.group(1)) <= MAX_STAFF:
            errors["jumlah_pelaksana"] = f"Jumlah pelaksana diawali angka 1 sampai {MAX_STAFF}, misalnya \"3 orang\"."
    if errors:
        raise StandardInvalid(errors)
    return clean


def parse_date(value: object, field: str, today: date, name: str) -> date:
    text = value.strip() if isinstance(value, str) else ""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise StandardInvalid({field: f"{name} harus tanggal yang sah (TTTT-BB-HH)."})
    if day > today:
        raise StandardInvalid({field: f"{name} tidak boleh sesudah hari ini."})
    if day < EARLIEST_DECREE:
        raise StandardInvalid({field: f"{name} tidak boleh sebelum {EARLIEST_DECREE:%d-%m-%Y}."})
    return day


@dataclass(frozen=True)
class Decree:
    """The Keputusan Camat that adopts a standard: its number and date."""

    number: str
    day: date


def validate_decree(number: object, day: object, today: date) -> Decree:
    text = _text(number)
    if not text:
        raise StandardInvalid({"decree_number": "Nomor Keputusan Camat wajib diisi."})
    if len(text) > 100 or "\n" in text or _CONTROL.search(text):
        raise StandardInvalid({"decree_number": "Nomor Keputusan Camat satu baris, paling banyak 100 karakter."})
    return Decree(text, parse_date(day, "decree_date", today, "Tanggal keputusan"))


def validate_maklumat(text: object, signatory_name: object, signatory_title: object) -> dict[str, str]:
    errors: dict[str, str] = {}
    body = _text(text)
    if not MAKLUMAT_MIN <= len(body) <= MAKLUMAT_MAX:
        errors["text"] = f"Isi maklumat {MAKLUMAT_MIN} sampai {MAKLUMAT_MAX} karakter."
    elif _CONTROL.search(body):
        errors["text"] = "Isi maklumat memuat karakter yang tidak sah."
    out = {"text": body}
    for field, value, name in (("signatory_name", signatory_name, "Nama penandatangan"),
                               ("signatory_title", signatory_title, "Jabatan penandatangan")):
        line = _text(value)
        if not 2 <= len(line) <= 120 or "\n" in line or _CONTROL.search(line):
            errors[field] = f"{name} wajib diisi, satu baris, paling banyak 120 karakter."
        out[field] = line
    if errors:
        raise StandardInvalid(errors)
    return out


def maklumat_prefill(office: Office) -> dict[str, str]:
    place = office.name.removeprefix("Kecamatan ").strip()
    return {"text": MAKLUMAT_TEXT, "signatory_name": "", "signatory_title": f"Camat {place}"}

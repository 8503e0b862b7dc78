"""SKM results (PermenPANRB 14/2017) beyond the IKM itself: the survey's periods, the minimum sample for
the number of citizens served, the optional respondent profile of the regulation's questionnaire, the
weakest elements, and the follow-up plans (rencana tindak lanjut) with their share done and speed.

Plain Python; ``services.skm`` reads the stored answers and plans. The messages are Indonesian (the
citizen reads them on the survey form, the Kasi on the follow-up form).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from antrean.shared.domain.stats import median

# -- periods --------------------------------------------------------------------------------------------

MAX_PERIOD_DAYS = 366 * 2  # a custom range of at most two years


@dataclass(frozen=True)
class SkmPeriod:
    """A survey period: a semester (``2026-S1`` January-June, ``2026-S2`` July-December), a year (``2026``)
    or a custom range (``2026-03-01..2026-05-31``). ``key`` is what URLs and the database keep."""

    start: date
    end: date  # inclusive
    kind: str  # "semester", "year", "custom"

    @property
    def key(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "semester":
            return f"{self.start.year}-S{1 if self.start.month == 1 else 2}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """Indonesian: "Semester I 2026", "Tahun 2026", "1 Maret 2026 s.d. 31 Mei 2026" (numeric dates)."""
        if self.kind == "year":
            return f"Tahun {self.start.year}"
        if self.kind == "semester":
            return f"Semester {'I' if self.start.month == 1 else 'II'} {self.start.year}"
        return f"{self.start.strftime('%d-%m-%Y')} s.d. {self.end.strftime('%d-%m-%Y')}"


def semester(year: int, half: int) -> SkmPeriod:
    return (SkmPeriod(date(year, 1, 1), date(year, 6, 30), "semester") if half == 1
            else SkmPeriod(date(year, 7, 1), date(year, 12, 31), "semester"))


def year(y: int) -> SkmPeriod:
    return SkmPeriod(date(y, 1, 1), date(y, 12, 31), "year")


def current_semester(today: date) -> SkmPeriod:
    return semester(today.year, 1 if today.month <= 6 else 2)


def custom(start: date, end: date) -> SkmPeriod:
    if end < start:
        raise ValueError("Tanggal akhir periode sebelum tanggal awal.")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValueError("Periode paling panjang dua tahun.")
    known = [semester(start.year, 1), semester(start.year, 2), year(start.year)]
    return next((p for p in known if (p.start, p.end) == (start, end)), SkmPeriod(start, end, "custom"))


_YEAR = re.compile(r"^(\d{4})$")
_SEMESTER = re.compile(r"^(\d{4})-S([12])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_period(text: Any) -> SkmPeriod:
    """``2026``, ``2026-S1``/``2026-S2`` or ``YYYY-MM-DD..YYYY-MM-DD``; ValueError with an Indonesian message."""
    value = text.strip().upper() if isinstance(text, str) else ""
    try:
        if m := _YEAR.match(value):
            return year(int(m.group(1)))
        if m := _SEMESTER.match(value):
            return semester(int(m.group(1)), int(m.group(2)))
        if m := _RANGE.match(value):
            return custom(date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2)))
    except ValueError as exc:
        if str(exc).endswith("."):  # our own message
            raise
    raise ValueError("Periode tidak valid: gunakan TTTT (tahun), TTTT-S1 / TTTT-S2 (semester) atau "
                     "TTTT-BB-HH..TTTT-BB-HH.")


# -- the minimum sample (Krejcie and Morgan, as tabled in PermenPANRB 14/2017, Lampiran) --------------

# (population, sample): the regulation's table. For a population between two rows the row at or above it
# applies (the larger sample); above the last row the sample stays 384.
SAMPLE_TABLE: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132),
    (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162),
    (290, 165), (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196), (420, 201),
    (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248),
    (750, 254), (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
    (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322),
    (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346), (4000, 351), (4500, 354),
    (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368), (10000, 370), (15000, 375),
    (20000, 377), (30000, 379), (40000, 380), (50000, 381), (75000, 382), (100000, 384),
)
assert all(a[0] < b[0] and a[1] <= b[1] for a, b in zip(SAMPLE_TABLE, SAMPLE_TABLE[1:], strict=False))


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for ``population`` citizens served: the table's row at or above
    the population; every citizen below the first row (10); 384 above the last."""
    if population <= 0:
        return 0
    for rows, sample in SAMPLE_TABLE:
        if population <= rows:
            return min(sample, population)
    return SAMPLE_TABLE[-1][1]


# -- the respondent's profile (the regulation's questionnaire; every field optional) -------------------

# field -> (Indonesian name, ((code, Indonesian label), ...)). The codes are stored with the answer.
PROFILE: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "sex": ("Jenis kelamin", (("L", "Laki-laki"), ("P", "Perempuan"))),
    "age_group": ("Usia", (("lt20", "Di bawah 20 tahun"), ("20-29", "20–29 tahun"), ("30-39", "30–39 tahun"),
                           ("40-49", "40–49 tahun"), ("50-59", "50–59 tahun"), ("60+", "60 tahun ke atas"))),
    "education": ("Pendidikan", (("sd", "SD ke bawah"), ("sltp", "SLTP"), ("slta", "SLTA"),
                                 ("d1-d3", "D1-D2-D3"), ("d4-s1", "D4-S1"), ("s2+", "S2 ke atas"))),
    "occupation": ("Pekerjaan", (("pns", "PNS"), ("tni", "TNI"), ("polri", "POLRI"), ("swasta", "Swasta"),
                                 ("wirausaha", "Wirausaha"), ("lainnya", "Lainnya"))),
}
UNANSWERED = "Tidak diisi"


def validate_profile(values: Mapping[str, Any]) -> dict[str, str | None]:
    """The profile's fields, each a known code or None (left empty). ValueError names a bad field in
    Indonesian."""
    out: dict[str, str | None] = {}
    bad = []
    for key, (name, choices) in PROFILE.items():
        raw = values.get(key)
        if raw is None or raw == "":
            out[key] = None
        elif isinstance(raw, str) and raw in dict(choices):
            out[key] = raw
        else:
            bad.append(name.lower())
    extra = set(values) - set(PROFILE)
    if extra:
        raise ValueError(f"Isian profil tidak dikenal: {', '.join(sorted(map(str, extra)))}.")
    if bad:
        raise ValueError(f"Pilihan {', '.join(bad)} tidak dikenal; pilih dari daftar atau kosongkan.")
    return out


def profile_counts(profiles: Iterable[Mapping[str, str | None]]) -> dict[str, list[tuple[str, int]]]:
    """Per field, each category's label and count in the regulation's order, then the unanswered ones."""
    counters: dict[str, Counter] = {key: Counter() for key in PROFILE}
    for p in profiles:
        for key in PROFILE:
            counters[key][p.get(key)] += 1
    return {key: [(label, counters[key][code]) for code, label in choices] + [(UNANSWERED, counters[key][None])]
            for key, (_name, choices) in PROFILE.items()}


# -- the weakest elements --------------------------------------------------------------------------------

WEAKEST = 3


def weakest(elements: list[dict[str, Any]], count: int = WEAKEST) -> list[dict[str, Any]]:
    """The ``count`` elements with the lowest NRR (on a tie, the element listed first)."""
    order = sorted(range(len(elements)), key=lambda i: (elements[i]["nrr"], i))
    return [elements[i] for i in order[:count]]


# -- follow-up plans (rencana tindak lanjut) -------------------------------------------------------------

STATUSES: tuple[tuple[str, str], ...] = (("rencana", "Direncanakan"), ("proses", "Dalam proses"),
                                         ("selesai", "Selesai"))
DONE = "selesai"
MAX_PLAN = 2000
MAX_PERSON = 120


class FollowUpInvalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _day(raw: Any) -> date | None:
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str) or not raw.strip():
        return None
    return date.fromisoformat(raw.strip())


def validate_followup(values: Mapping[str, Any], element_codes: Iterable[str], today: date) -> dict[str, Any]:
    """A follow-up plan as the Kasi writes it: the plan, the element(s) it answers, the person responsible,
    the due date, the status and (when done) the done date."""
    errors: dict[str, str] = {}
    plan = values.get("plan")
    plan = plan.strip() if isinstance(plan, str) else ""
    if not plan:
        errors["plan"] = "Tuliskan rencana tindak lanjut."
    elif len(plan) > MAX_PLAN:
        errors["plan"] = f"Rencana paling banyak {MAX_PLAN} karakter."
    known = tuple(element_codes)
    raw = values.get("elements") or []
    raw_elements = set(raw) if isinstance(raw, (list, tuple)) and all(isinstance(e, str) for e in raw) else set()
    elements = [e for e in known if e in raw_elements]
    if not elements or len(elements) != len(raw_elements):
        errors["elements"] = "Pilih satu atau beberapa unsur SKM yang ditindaklanjuti."
    person = values.get("responsible")
    person = person.strip() if isinstance(person, str) else ""
    if not person:
        errors["responsible"] = "Tuliskan penanggung jawab (jabatan)."
    elif len(person) > MAX_PERSON:
        errors["responsible"] = f"Penanggung jawab paling banyak {MAX_PERSON} karakter."
    due = done = None
    try:
        due = _day(values.get("due_date"))
        if due is None:
            errors["due_date"] = "Isi tanggal target."
    except ValueError:
        errors["due_date"] = "Tanggal target tidak valid (TTTT-BB-HH)."
    status = values.get("status")
    if status not in dict(STATUSES):
        errors["status"] = "Pilih status: direncanakan, dalam proses atau selesai."
    try:
        done = _day(values.get("done_date"))
    except ValueError:
        errors["done_date"] = "Tanggal selesai tidak valid (TTTT-BB-HH)."
    if "done_date" not in errors:
        if status == DONE and done is None:
            errors["done_date"] = "Isi tanggal selesai untuk tindak lanjut yang selesai."
        elif status != DONE and done is not None:
            errors["done_date"] = "Tanggal selesai hanya untuk tindak lanjut berstatus selesai."
        elif done is not None and done > today:
            errors["done_date"] = "Tanggal selesai tidak boleh di masa depan."
    if errors:
        raise FollowUpInvalid(errors)
    return {"plan": plan, "elements": elements, "responsible": person, "due_date": due, "status": status,
            "done_date": done}


def followup_summary(items: Iterable[Mapping[str, Any]], period_end: date) -> dict[str, Any]:
    """Share done and speed of a period's follow-ups. Each item has ``status``, ``done_date`` and
    ``created_on`` (the local date the plan was written). Speed in days: from the period's end to done (a
    plan done before the period ended counts 0), and from the plan's creation to done; mean and median."""
    rows = list(items)
    done = [r for r in rows if r["status"] == DONE and r.get("done_date") is not None]
    from_end = [max(0, (r["done_date"] - period_end).days) for r in done]
    from_plan = [max(0, (r["done_date"] - r["created_on"]).days) for r in done]
    on_time = [r for r in done if r.get("due_date") is None or r["done_date"] <= r["due_date"]]

    def _mean(xs: list[int]) -> float | None:
        return round(sum(xs) / len(xs), 1) if xs else None

    return {"total": len(rows), "done": len(done),
            "share_done": round(100 * len(done) / len(rows), 1) if rows else None,
            "on_time": len(on_time),
            "days_from_period_end": {"mean": _mean(from_end), "median": median(from_end) if from_end else None},
            "days_from_plan": {"mean": _mean(from_plan), "median": median(from_plan) if from_plan else None}}

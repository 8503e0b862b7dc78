"""The Survei Kepuasan Masyarakat (SKM) and its Indeks Kepuasan Masyarakat (IKM), PermenPANRB 14/2017:
nine elements scored 1-4; NRR per element, IKM = their mean, the conversion value IKM x 25 and its
grade. Plain Python; ``services.survey`` stores the answers and ``services.reports`` reads them."""
from __future__ import annotations

from typing import Any

SKM_ELEMENTS = (
    ("u1", "Persyaratan"),
    ("u2", "Sistem, mekanisme, dan prosedur"),
    ("u3", "Waktu penyelesaian"),
    ("u4", "Biaya/tarif"),
    ("u5", "Produk spesifikasi jenis pelayanan"),
    ("u6", "Kompetensi pelaksana"),
    ("u7", "Perilaku pelaksana"),
    ("u8", "Penanganan pengaduan, saran dan masukan"),
    ("u9", "Sarana dan prasarana"),
)
# (lowest conversion value, quality letter, performance) per PermenPANRB 14/2017, Lampiran.
SKM_CATEGORIES = (
    (88.31, "A", "Sangat Baik"),
    (76.61, "B", "Baik"),
    (65.00, "C", "Kurang Baik"),
    (25.00, "D", "Tidak Baik"),
)


def grade(value: float) -> tuple[str, str]:
    """The quality letter and performance of a conversion value (IKM x 25, rounded to 2 decimals)."""
    return next(((g, p) for low, g, p in SKM_CATEGORIES if round(value, 2) >= low), SKM_CATEGORIES[-1][1:])


def validate_answers(answers: Any) -> dict[str, int]:
    if not isinstance(answers, dict):
        raise ValueError("answers must map each of u1..u9 to a score 1-4")
    out = {}
    for code, _name in SKM_ELEMENTS:
        value = answers.get(code)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise ValueError(f"{code} must be a score from 1 to 4")
        out[code] = value
    extra = set(answers) - set(out)
    if extra:
        raise ValueError(f"unknown elements: {', '.join(sorted(extra))}")
    return out


def ikm(responses: list[dict[str, int]]) -> dict[str, Any]:
    """The IKM of a set of responses.

    Per element the average score (NRR = total / respondents); each weighs 1/9 (the nine elements
    weigh equally); IKM = sum of weighted NRR (1-4); the conversion value = IKM x 25 (25-100), and its
    quality category: A (88.31-100, Sangat Baik), B (76.61-88.30, Baik), C (65.00-76.60, Kurang
    Baik), D (25.00-64.99, Tidak Baik).
    """
    n = len(responses)
    if n == 0:
        return {"respondents": 0, "elements": [], "ikm": None, "value": None, "grade": None, "performance": None}
    weight = 1 / len(SKM_ELEMENTS)
    elements = []
    total = 0.0
    for code, name in SKM_ELEMENTS:
        nrr = sum(r[code] for r in responses) / n
        total += nrr * weight
        elements.append({"element": code, "name": name, "nrr": round(nrr, 3), "weighted": round(nrr * weight, 4)})
    value = round(total * 25, 2)
    letter, performance = grade(value)
    return {"respondents": n, "elements": elements, "ikm": round(total, 4), "value": value,
            "grade": letter, "performance": performance}

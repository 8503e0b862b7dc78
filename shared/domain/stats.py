"""Summary figures of a list of durations for the office reports: plain Python."""
from __future__ import annotations

import statistics
from typing import Any


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def p90(values: list[float]) -> float | None:
    """90th percentile, linear interpolation between closest ranks (the 'inclusive' method)."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=10, method="inclusive")[-1], 2)


def summary(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "median": median(values), "p90": p90(values),
            "mean": round(statistics.fmean(values), 2) if values else None}

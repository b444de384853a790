"""Percentiles and shares as the reports state them.

A percentile here is the nearest-rank one (PostgreSQL's `percentile_disc`): the
smallest value that at least p of the cases do not exceed. Durations enter it in whole
seconds rounded up, so "p90 answer time 13 s" reads "90% were answered within 13 s".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

EPSILON = 1e-9  # 0.9 * 10 is 9.000000000000002 in floating point


def rank(p: float, n: int) -> int:
    return max(1, math.ceil(p * n - EPSILON))


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """The p-th percentile of values given as {value: how many}; None when empty."""
    n = sum(histogram.values())
    if n == 0:
        return None
    wanted, seen = rank(p, n), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= wanted:
            return value
    raise AssertionError("unreachable: the counts add up to n")


def share(part: float, whole: float) -> float | None:
    """part / whole rounded to 4 decimals; None when there is nothing to share."""
    return round(part / whole, 4) if whole else None


def mean(total: float, n: int) -> float | None:
    return round(total / n, 1) if n else None

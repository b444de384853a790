"""Service level: how soon callers were answered, and how many gave up, by hour and weekday.

A call is *offered* when it reached the queue and ended there or with a call-taker:
answered + abandoned in queue (calls ended by screening and calls still waiting are
left out). "Answered within 15 s" is a share of the offered calls, as NENA-STA-020.1
states its targets (90% within 15 s, 95% within 20 s). Answer time runs from the
call's arrival (`received_at`) to the call-taker's answer (`connected_at`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from siaga112.reports.call_counts import AnswerBucket, Hour
from siaga112.reports.sql import HOURS_BEFORE_EPOCH_MONDAY
from siaga112.reports.stats import mean, percentile, share

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Cell:
    answered: int = 0
    abandoned: int = 0
    exact_seconds: float = 0.0
    histogram: Counter[int] = field(default_factory=Counter)

    def add(self, other: Cell) -> None:
        self.answered += other.answered
        self.abandoned += other.abandoned
        self.exact_seconds += other.exact_seconds
        self.histogram.update(other.histogram)

    def figures(self, thresholds: Sequence[int]) -> dict[str, Any]:
        offered = self.answered + self.abandoned
        return {
            "offered": offered,
            "answered": self.answered,
            "abandoned_in_queue": self.abandoned,
            "abandonment_rate": share(self.abandoned, offered),
            "answered_within": {
                str(t): share(sum(n for s, n in self.histogram.items() if s <= t), offered)
                for t in thresholds},
            "mean_answer_seconds": mean(self.exact_seconds, self.answered),
            "p50_answer_seconds": percentile(self.histogram, 0.5),
            "p90_answer_seconds": percentile(self.histogram, 0.9),
        }


def _combine(cells: Iterable[Cell]) -> Cell:
    result = Cell()
    for cell in cells:
        result.add(cell)
    return result


def by_hour_of_week(hours: Iterable[Hour], buckets: Iterable[AnswerBucket]) -> dict[int, Cell]:
    cells = {how: Cell() for how in range(168)}
    for b in buckets:
        cell = cells[b.hour_of_week]
        cell.answered += b.calls
        cell.histogram[b.seconds] += b.calls
    for h in hours:
        cell = cells[(h.index + HOURS_BEFORE_EPOCH_MONDAY) % 168]
        cell.abandoned += h.counts.abandoned_in_queue
        cell.exact_seconds += h.counts.answer_seconds
    return cells


def service_levels(*, hours: Sequence[Hour], buckets: Sequence[AnswerBucket],
                   thresholds: Sequence[int], targets: Sequence[float]) -> dict[str, Any]:
    cells = by_hour_of_week(hours, buckets)
    overall = _combine(cells.values()).figures(thresholds)
    goal = {str(t): target for t, target in zip(thresholds, targets)}
    overall["meets_target"] = {
        key: (None if overall["answered_within"][key] is None
              else overall["answered_within"][key] >= goal[key]) for key in goal}
    return {
        "thresholds_seconds": list(thresholds),
        "targets": goal,
        "overall": overall,
        "by_hour": [{"hour": hour, **_combine(cells[d * 24 + hour] for d in range(7))
                     .figures(thresholds)} for hour in range(24)],
        "by_weekday": [{"weekday": name, **_combine(cells[d * 24 + h] for h in range(24))
                        .figures(thresholds)} for d, name in enumerate(WEEKDAYS)],
    }

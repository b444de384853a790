"""How long callers wait before they hang up, estimated from censored waits.

A caller who hung up in the queue shows their patience (an event at their wait); a caller
who was answered shows only that their patience was longer than their wait (censored
there). Kaplan-Meier gives the survival curve of patience without assuming its shape;
Erlang A needs an exponential patience, whose maximum-likelihood mean under censoring is
the total time all callers waited divided by the number who hung up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

REPORTED_SECONDS = (5, 10, 15, 20, 30, 60, 120)


@dataclass(frozen=True, kw_only=True)
class SurvivalStep:
    """At `seconds`: `events` callers hung up out of `at_risk` still waiting; S(t) after it."""

    seconds: float
    at_risk: int
    events: int
    censored: int
    survival: float


def kaplan_meier(*, waits: Sequence[float], hung_up: Sequence[bool]) -> list[SurvivalStep]:
    """The product-limit estimate S(t) = prod over event times t_i <= t of (1 - d_i / n_i).

    At a tie, hang-ups come before answers (the usual convention: a caller answered at
    t was still waiting at t).
    """
    if len(waits) != len(hung_up):
        raise ValueError("waits and hung_up must have the same length")
    if any(w < 0 or math.isnan(w) for w in waits):
        raise ValueError("waits must be >= 0 seconds")
    by_time: dict[float, list[int]] = {}
    for wait, event in zip(waits, hung_up, strict=True):
        counts = by_time.setdefault(float(wait), [0, 0])
        counts[0 if event else 1] += 1
    at_risk = len(waits)
    survival = 1.0
    steps = []
    for seconds in sorted(by_time):
        events, censored = by_time[seconds]
        if events:
            survival *= 1.0 - events / at_risk
        steps.append(SurvivalStep(seconds=seconds, at_risk=at_risk, events=events,
                                  censored=censored, survival=survival))
        at_risk -= events + censored
    return steps


def survival_at(curve: Sequence[SurvivalStep], seconds: float) -> float:
    """S(t): the share of callers still willing to wait at `seconds`."""
    value = 1.0
    for step in curve:
        if step.seconds > seconds:
            break
        value = step.survival
    return value


def median_patience(curve: Sequence[SurvivalStep]) -> float | None:
    """The first time S(t) <= 0.5, or None when more than half are never seen to hang up."""
    return next((s.seconds for s in curve if s.survival <= 0.5), None)


def exponential_mean_patience(*, waits: Sequence[float], hung_up: Sequence[bool]) -> float:
    """Censored maximum likelihood of an exponential: sum of waits / number who hung up."""
    events = sum(1 for e in hung_up if e)
    total = math.fsum(waits)
    if events == 0:
        return math.inf
    return total / events


@dataclass(frozen=True, kw_only=True)
class PatienceEstimate:
    callers: int
    hung_up: int
    mean_seconds: float  # exponential fit, what Erlang A and the simulation use
    median_seconds: float | None  # Kaplan-Meier, no shape assumed
    survival: dict[int, float]  # Kaplan-Meier S(t) at REPORTED_SECONDS
    exponential_survival: dict[int, float]  # exp(-t / mean) at the same times, to compare

    def to_dict(self) -> dict[str, object]:
        return {"callers": self.callers, "hung_up": self.hung_up,
                "mean_seconds": _finite(self.mean_seconds), "median_seconds": self.median_seconds,
                "survival": {str(k): round(v, 4) for k, v in self.survival.items()},
                "exponential_survival": {str(k): round(v, 4)
                                         for k, v in self.exponential_survival.items()}}


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else round(value, 2)


def estimate_patience(*, waits: Sequence[float], hung_up: Sequence[bool]) -> PatienceEstimate:
    curve = kaplan_meier(waits=waits, hung_up=hung_up)
    mean = exponential_mean_patience(waits=waits, hung_up=hung_up)
    return PatienceEstimate(
        callers=len(waits), hung_up=sum(1 for e in hung_up if e), mean_seconds=mean,
        median_seconds=median_patience(curve),
        survival={t: survival_at(curve, t) for t in REPORTED_SECONDS},
        exponential_survival={t: math.exp(-t / mean) for t in REPORTED_SECONDS},
    )

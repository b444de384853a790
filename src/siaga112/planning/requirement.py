"""How many call-takers each interval of the week needs to reach a service-level target."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from siaga112.planning.erlang import QueueMetrics, erlang_a, fewest_agents

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, kw_only=True)
class Target:
    """Default: 90% of callers answered within 15 seconds, never fewer than one call-taker."""

    level: float = 0.9
    seconds: float = 15.0
    min_agents: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.level < 1:
            raise ValueError(f"target service level must be between 0 and 1, not {self.level}")
        if self.seconds < 0:
            raise ValueError(f"target seconds must be >= 0, not {self.seconds}")
        if self.min_agents < 0:
            raise ValueError(f"minimum call-takers must be >= 0, not {self.min_agents}")


@dataclass(frozen=True, kw_only=True)
class IntervalPlan:
    slot: int
    interval_minutes: int
    arrivals: float  # mean calls offered in the interval
    metrics: QueueMetrics

    @property
    def agents(self) -> int:
        return self.metrics.agents

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.slot * self.interval_minutes // 1440]

    @property
    def start(self) -> str:
        minute = self.slot * self.interval_minutes % 1440
        return f"{minute // 60:02d}:{minute % 60:02d}"

    def to_dict(self) -> dict[str, object]:
        m = self.metrics
        return {"slot": self.slot, "weekday": self.weekday, "start": self.start,
                "calls": round(self.arrivals, 3), "load_erlangs": round(m.load, 4),
                "agents": m.agents, "service_level": round(m.service_level, 4),
                "abandon_probability": round(m.abandon_probability, 4),
                "answer_seconds": _rounded(m.answer_seconds), "occupancy": round(m.occupancy, 4)}


def _rounded(value: float) -> float | None:
    return None if math.isinf(value) else round(value, 2)


def _rate(arrivals: float, interval_minutes: int) -> float:
    return arrivals / (interval_minutes * 60.0)


def requirements(*, arrivals: Sequence[float], interval_minutes: int, handle_seconds: float,
                 patience_seconds: float, target: Target) -> list[IntervalPlan]:
    """For each interval the fewest call-takers reaching the target (Erlang A), with what
    callers then get: service level, abandonment, mean answer time."""
    cache: dict[float, QueueMetrics] = {}
    plans = []
    for slot, calls in enumerate(arrivals):
        if calls not in cache:
            if calls == 0:
                cache[calls] = erlang_a(arrival_rate=0.0, handle_seconds=handle_seconds,
                                        patience_seconds=patience_seconds,
                                        agents=max(1, target.min_agents),
                                        target_seconds=target.seconds)
                if target.min_agents == 0:
                    cache[calls] = _zero_agents(cache[calls])
            else:
                cache[calls] = fewest_agents(
                    arrival_rate=_rate(calls, interval_minutes), handle_seconds=handle_seconds,
                    patience_seconds=patience_seconds, target_level=target.level,
                    target_seconds=target.seconds, min_agents=max(1, target.min_agents))
        plans.append(IntervalPlan(slot=slot, interval_minutes=interval_minutes, arrivals=calls,
                                  metrics=cache[calls]))
    return plans


def _zero_agents(metrics: QueueMetrics) -> QueueMetrics:
    return replace(metrics, agents=0)


def evaluate(*, arrivals: Sequence[float], agents: Sequence[int], interval_minutes: int,
             handle_seconds: float, patience_seconds: float,
             target_seconds: float) -> list[IntervalPlan]:
    """What callers get, interval by interval, from a given staffing (e.g. a roster)."""
    plans = []
    for slot, (calls, n) in enumerate(zip(arrivals, agents, strict=True)):
        if n < 1:
            metrics = QueueMetrics(agents=0, load=_rate(calls, interval_minutes) * handle_seconds,
                                   wait_probability=1.0 if calls else 0.0,
                                   abandon_probability=1.0 if calls else 0.0,
                                   service_level=0.0 if calls else 1.0,
                                   target_seconds=target_seconds,
                                   answer_seconds=math.inf if calls else 0.0,
                                   queue_seconds=patience_seconds if calls else 0.0,
                                   occupancy=0.0)
        else:
            metrics = erlang_a(arrival_rate=_rate(calls, interval_minutes),
                               handle_seconds=handle_seconds, patience_seconds=patience_seconds,
                               agents=n, target_seconds=target_seconds)
        plans.append(IntervalPlan(slot=slot, interval_minutes=interval_minutes, arrivals=calls,
                                  metrics=metrics))
    return plans


@dataclass(frozen=True, kw_only=True)
class WeekFigures:
    """Figures of a whole week, each interval weighted by its calls."""

    calls: float
    service_level: float
    abandon_probability: float
    answer_seconds: float
    agent_hours: float

    def to_dict(self) -> dict[str, object]:
        return {"calls": round(self.calls, 1), "service_level": round(self.service_level, 4),
                "abandon_probability": round(self.abandon_probability, 4),
                "answer_seconds": _rounded(self.answer_seconds),
                "agent_hours": round(self.agent_hours, 1)}


def week_figures(plans: Sequence[IntervalPlan]) -> WeekFigures:
    calls = math.fsum(p.arrivals for p in plans)
    hours = math.fsum(p.agents * p.interval_minutes / 60 for p in plans)
    if calls == 0:
        return WeekFigures(calls=0, service_level=1.0, abandon_probability=0.0,
                           answer_seconds=0.0, agent_hours=hours)
    answered = math.fsum(p.arrivals * (1 - p.metrics.abandon_probability) for p in plans)
    answer = (math.fsum(p.arrivals * (1 - p.metrics.abandon_probability) * p.metrics.answer_seconds
                        for p in plans if p.metrics.abandon_probability < 1) / answered
              if answered else math.inf)
    return WeekFigures(
        calls=calls,
        service_level=math.fsum(p.arrivals * p.metrics.service_level for p in plans) / calls,
        abandon_probability=math.fsum(p.arrivals * p.metrics.abandon_probability
                                      for p in plans) / calls,
        answer_seconds=answer, agent_hours=hours)

"""A discrete-event simulation (SimPy) of the center's week, to check the formulas and ask what-ifs.

Calls arrive as a Poisson process whose rate changes each interval (the week's profile);
each caller has an exponential patience and hangs up when it runs out before an answer;
call-takers answer in arrival order. The number on duty follows the staffing given per
interval: when it drops, a call-taker still on a call finishes it first (a "blocker"
takes the next free desk), as at a real shift change. Weeks run back to back, so a queue
left at Sunday midnight carries into Monday. Each caller's patience and handling time are
drawn when it arrives, from their own random streams, so two staffings compared with the
same seed meet the very same callers (common random numbers).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy

HandleSampler = Callable[[random.Random], float]
CALLER, BLOCKER = 1, 0  # SimPy serves the lower number first


def exponential_handling(mean_seconds: float) -> HandleSampler:
    return lambda rng: rng.expovariate(1.0 / mean_seconds)


def empirical_handling(samples: Sequence[float]) -> HandleSampler:
    """Handling times drawn from the center's own answered calls."""
    pool = tuple(samples)
    if not pool:
        raise ValueError("no handling times to sample from")
    return lambda rng: rng.choice(pool)


@dataclass(kw_only=True)
class SimulationResult:
    interval_minutes: int
    weeks: int
    target_seconds: float
    calls: list[int]
    answered: list[int]
    answered_in_time: list[int]
    abandoned: list[int]
    answer_wait: list[float] = field(repr=False)

    @property
    def service_level(self) -> float:
        total = sum(self.calls)
        return sum(self.answered_in_time) / total if total else 1.0

    @property
    def abandon_probability(self) -> float:
        total = sum(self.calls)
        return sum(self.abandoned) / total if total else 0.0

    @property
    def answer_seconds(self) -> float:
        answered = sum(self.answered)
        return math.fsum(self.answer_wait) / answered if answered else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"weeks": self.weeks, "calls": sum(self.calls),
                "service_level": round(self.service_level, 4),
                "abandon_probability": round(self.abandon_probability, 4),
                "answer_seconds": round(self.answer_seconds, 2)}


def simulate(*, arrivals: Sequence[float], agents: Sequence[int], interval_minutes: int,
             handle: HandleSampler, patience_seconds: float, target_seconds: float,
             weeks: int = 1, seed: int = 112) -> SimulationResult:
    """Run `weeks` weeks; `arrivals[i]` mean calls and `agents[i]` call-takers in interval i."""
    if len(arrivals) != len(agents):
        raise ValueError("arrivals and agents need one value per interval each")
    if weeks < 1:
        raise ValueError("simulate at least one week")
    slots = len(arrivals)
    length = interval_minutes * 60.0
    streams = random.Random(seed)
    arrival_rng, patience_rng, handle_rng = (random.Random(streams.getrandbits(64))
                                             for _ in range(3))
    env = simpy.Environment()
    desks = simpy.PriorityResource(env, capacity=max(1, max(agents, default=1)))
    result = SimulationResult(interval_minutes=interval_minutes, weeks=weeks,
                              target_seconds=target_seconds, calls=[0] * slots,
                              answered=[0] * slots, answered_in_time=[0] * slots,
                              abandoned=[0] * slots, answer_wait=[0.0] * slots)
    blockers: list[simpy.Event] = []

    def blocker(stop: simpy.Event) -> Generator[Any, Any, None]:
        with desks.request(priority=BLOCKER) as desk:
            yield desk | stop
            if not stop.triggered:
                yield stop

    def caller(slot: int, patience: float, handling: float) -> Generator[Any, Any, None]:
        arrived = env.now
        with desks.request(priority=CALLER) as desk:
            if math.isinf(patience):
                yield desk
            elif desk not in (yield desk | env.timeout(patience)):
                result.abandoned[slot] += 1
                return
            wait = env.now - arrived
            result.answered[slot] += 1
            result.answer_wait[slot] += wait
            if wait <= target_seconds:
                result.answered_in_time[slot] += 1
            yield env.timeout(handling)

    def staff(on_duty: int) -> None:
        wanted = desks.capacity - on_duty
        while len(blockers) < wanted:
            stop = env.event()
            blockers.append(stop)
            env.process(blocker(stop))
        while len(blockers) > wanted:
            blockers.pop().succeed()

    def week_clock() -> Generator[Any, Any, None]:
        for _ in range(weeks):
            for slot in range(slots):
                staff(agents[slot])
                end = env.now + length
                rate = arrivals[slot] / length
                while rate > 0:
                    gap = arrival_rng.expovariate(rate)
                    if env.now + gap >= end:
                        break
                    yield env.timeout(gap)
                    result.calls[slot] += 1
                    env.process(caller(slot, patience_rng.expovariate(1.0 / patience_seconds)
                                       if math.isfinite(patience_seconds) else math.inf,
                                       handle(handle_rng)))
                yield env.timeout(end - env.now)

    env.process(week_clock())
    env.run()
    return result

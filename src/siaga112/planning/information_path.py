"""What quick answers and the waiting message do for genuine emergencies: a SimPy model.

One queue, a fixed number of call-takers answering first come, first served. Callers are of
three kinds (emergency, question, nuisance) in Kendari's mix; each has an exponential
patience and hangs up when it runs out before an answer. Two measures, switched on apart:
- **quick answers**: a question's talk is shorter (the answer is read out, not looked up)
  and its wrap-up is one key (the topic disposes the call);
- **the waiting message**: a caller still waiting after `message_after_seconds` hears,
  once, "if your call is not an emergency, call ...; if it is, stay on the line". Only
  callers who are still waiting hear it. At its end each hearer decides: question and
  nuisance callers leave with their own probability (within `leave_window_seconds`);
  emergency callers stay (`leave_probability["emergency"] = 0`): their patience runs as it
  would without the message.

All callers are drawn once, before any scenario runs (arrival, kind, patience, handling,
their reaction to the message), and every scenario meets the very same callers (common
random numbers): the differences between scenarios come from the measures alone.
The cost is counted explicitly: every emergency caller who heard the message and hung up
within the window after it is traced, with the reason of the hang-up (the message, or their
own patience drawn at arrival, the same as in the scenario without the message).
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy

KINDS = ("emergency", "question", "nuisance")
# Kendari, 10-29 June 2025: of 3,744 answered calls, 166 verified emergencies and 1,222
# invalid (prank, silent, instant hang-up); the other 2,356 "valid" calls were mostly
# questions. The 2,238 callers who gave up in the queue are assumed to have the same mix.
KENDARI_MIX = {"emergency": 166 / 3744, "question": 2356 / 3744, "nuisance": 1222 / 3744}
KENDARI_CALLS_PER_DAY = 5982 / 20
# Relative calls by hour of day (WITA): quiet before dawn, busiest in the evening (the shape
# of the generated Kendari history the staffing tests use).
HOURLY = (2.0, 1.5, 1.0, 0.8, 0.8, 1.0, 1.5, 2.5, 3.5, 4.0, 4.2, 4.5,
          4.5, 4.5, 4.8, 5.0, 5.2, 5.5, 6.0, 6.5, 6.0, 5.0, 4.0, 3.0)


@dataclass(frozen=True, kw_only=True)
class Assumptions:
    """What the model takes as given; every figure the benchmark prints depends on these."""

    days: int = 20
    calls_per_day: float = KENDARI_CALLS_PER_DAY
    mix: dict[str, float] = field(default_factory=lambda: dict(KENDARI_MIX))
    call_takers: int = 1
    talk_seconds: dict[str, float] = field(default_factory=lambda: {
        "emergency": 150.0, "question": 90.0, "nuisance": 8.0})
    wrap_up_seconds: dict[str, float] = field(default_factory=lambda: {
        "emergency": 30.0, "question": 20.0, "nuisance": 5.0})
    quick_talk_factor: float = 0.65  # a question's talk with a quick answer
    quick_wrap_up_seconds: float = 5.0  # picking the topic disposes the call
    patience_seconds: dict[str, float] = field(default_factory=lambda: {
        "emergency": 120.0, "question": 60.0, "nuisance": 20.0})
    message_after_seconds: float = 30.0
    message_seconds: float = 12.0
    leave_probability: dict[str, float] = field(default_factory=lambda: {
        "emergency": 0.0, "question": 0.5, "nuisance": 0.3})
    leave_window_seconds: float = 30.0  # "left after the message": within this after its end
    target_seconds: float = 15.0


@dataclass(frozen=True)
class Scenario:
    name: str
    quick_answers: bool
    waiting_message: bool


SCENARIOS = (Scenario("baseline", False, False), Scenario("quick_answers", True, False),
             Scenario("waiting_message", False, True), Scenario("both", True, True))


@dataclass(frozen=True)
class Caller:
    arrival: float
    kind: str
    patience: float
    talk: float
    reaction: float  # uniform [0, 1): leaves after the message when below its probability
    leave_delay: float  # seconds after the message's end, within the window


def draw_callers(a: Assumptions, *, seed: int) -> list[Caller]:
    """Everyone who calls, drawn once from separate streams (one per attribute)."""
    streams = random.Random(seed)
    arrive, kind_rng, patience_rng, talk_rng, react_rng = (
        random.Random(streams.getrandbits(64)) for _ in range(5))
    kinds, weights = list(a.mix), list(a.mix.values())
    per_hour = [a.calls_per_day * h / sum(HOURLY) for h in HOURLY]
    callers = []
    for day in range(a.days):
        for hour, rate in enumerate(per_hour):
            start, t = (day * 24 + hour) * 3600.0, 0.0
            while True:
                t += arrive.expovariate(rate / 3600.0)
                if t >= 3600.0:
                    break
                kind = kind_rng.choices(kinds, weights)[0]
                mean, sigma = a.talk_seconds[kind], 0.6
                callers.append(Caller(
                    arrival=start + t, kind=kind,
                    patience=patience_rng.expovariate(1.0 / a.patience_seconds[kind]),
                    talk=talk_rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma),
                    reaction=react_rng.random(),
                    leave_delay=react_rng.uniform(0.0, a.leave_window_seconds)))
    return callers


@dataclass
class Outcome:
    """What happened to one caller in one scenario."""

    kind: str
    wait: float | None = None  # until answered
    gave_up_at: float | None = None  # seconds after arrival
    heard_at: float | None = None  # the message started, seconds after arrival
    left_because_of_message: bool = False


def _handling(c: Caller, a: Assumptions, quick: bool) -> float:
    if quick and c.kind == "question":
        return c.talk * a.quick_talk_factor + a.quick_wrap_up_seconds
    return c.talk + a.wrap_up_seconds[c.kind]


def run(callers: Sequence[Caller], a: Assumptions, scenario: Scenario) -> list[Outcome]:
    env = simpy.Environment()
    desks = simpy.Resource(env, capacity=a.call_takers)
    outcomes = [Outcome(c.kind) for c in callers]

    def caller(c: Caller, out: Outcome) -> Generator[Any, Any, None]:
        with desks.request() as desk:
            gives_up = env.timeout(c.patience)
            waiting: list[simpy.Event] = [desk, gives_up]
            if scenario.waiting_message:
                message = env.timeout(a.message_after_seconds)
                waiting.append(message)
            while True:
                fired = yield env.any_of(waiting)
                if desk in fired:
                    out.wait = env.now - c.arrival
                    yield env.timeout(_handling(c, a, scenario.quick_answers))
                    return
                if gives_up in fired:
                    out.gave_up_at = env.now - c.arrival
                    return
                if scenario.waiting_message and message in fired:
                    out.heard_at = env.now - c.arrival
                    waiting.remove(message)
                    if c.reaction < a.leave_probability[c.kind]:
                        leaves = env.timeout(a.message_seconds + c.leave_delay)
                        waiting.append(leaves)
                    continue
                # The only other event: the caller leaves because of what the message said.
                out.gave_up_at = env.now - c.arrival
                out.left_because_of_message = True
                return

    def arrivals() -> Generator[Any, Any, None]:
        for c, out in zip(callers, outcomes):
            yield env.timeout(c.arrival - env.now)
            env.process(caller(c, out))

    env.process(arrivals())
    env.run()
    return outcomes


def summarize(outcomes: Sequence[Outcome], a: Assumptions) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for kind in KINDS:
        mine = [o for o in outcomes if o.kind == kind]
        waits = sorted(o.wait for o in mine if o.wait is not None)
        n = len(mine)
        left = sum(o.left_because_of_message for o in mine)
        gave_up = sum(o.gave_up_at is not None for o in mine) - left  # their patience ran out
        result[kind] = {
            "calls": n, "answered": len(waits),
            "answered_within_target": sum(w <= a.target_seconds for w in waits),
            "answered_within_target_share": _share(sum(w <= a.target_seconds for w in waits), n),
            "gave_up": gave_up,
            "gave_up_share": _share(gave_up, n),
            "left_because_of_message": left,
            "heard_message": sum(o.heard_at is not None for o in mine),
            "mean_wait_s": round(sum(waits) / len(waits), 1) if waits else None,
            "p90_wait_s": round(waits[int(0.9 * (len(waits) - 1))], 1) if waits else None,
        }
    return result


def message_cost(on: Sequence[Outcome], off: Sequence[Outcome], callers: Sequence[Caller],
                 a: Assumptions) -> dict[str, Any]:
    """Emergency callers who hung up within the window after the message began, and why.

    For each: did it leave because of the message, or because its own patience (drawn at
    arrival, before and apart from any message) ran out at that very moment? The same
    caller in the run without the message is looked up too.
    """
    window = a.message_seconds + a.leave_window_seconds
    traced = []
    for c, with_msg, without in zip(callers, on, off):
        if c.kind != "emergency" or with_msg.heard_at is None or with_msg.gave_up_at is None:
            continue
        if with_msg.gave_up_at - with_msg.heard_at > window:
            continue
        traced.append({
            "because_of_message": with_msg.left_because_of_message,
            "own_patience": math.isclose(with_msg.gave_up_at, c.patience, abs_tol=1e-6),
            "gave_up_without_message_too": without.gave_up_at is not None,
        })
    heard = sum(o.heard_at is not None for c, o in zip(callers, on) if c.kind == "emergency")
    return {
        "window_seconds": window,
        "emergency_heard_message": heard,
        "emergency_left_after_message": sum(t["because_of_message"] for t in traced),
        "emergency_hung_up_in_window": len(traced),
        "of_which_own_patience": sum(t["own_patience"] for t in traced),
        "of_which_gave_up_without_message_too": sum(t["gave_up_without_message_too"]
                                                    for t in traced),
        "how": ("every emergency caller who heard the message and hung up within "
                "window_seconds of its start (the message, then the leave window) is traced: "
                "left because of the message (0 is required), or its own patience, drawn at "
                "arrival before any message, ran out at that moment; the same caller in the "
                "run without the message is looked up too"),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None

"""Queueing formulas for staffing: Erlang B, Erlang C (M/M/N) and Erlang A (M/M/N+M).

All rates are per second and all times in seconds. "Service level" is the share of *all*
arriving callers answered within the target time: a caller who hangs up first, even
after two seconds, counts against it (the center's own definition, see docs/staffing.md).

Erlang A follows Garnett, Mandelbaum & Reiman (2002): a birth-death chain whose death
rate above N agents grows by theta = 1 / mean patience for each waiting caller. The
service level uses the tagged caller's race against its own patience: with k callers
ahead it is answered with probability N mu / (N mu + (k+1) theta), and its answer time
then has the law of a sum of exponentials with rates N mu + j theta (j = 1..k+1), whose
distribution function is a negative-binomial tail (see docs/staffing.md for the proof).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_TAIL_EPSILON = 1e-16
_RESCALE_ABOVE = 1e250


@dataclass(frozen=True, kw_only=True)
class QueueMetrics:
    """What callers get from `agents` call-takers under one interval's traffic."""

    agents: int
    load: float  # offered load in erlangs: arrival rate x handling time
    wait_probability: float  # an arriving caller finds every call-taker busy
    abandon_probability: float  # an arriving caller hangs up before an answer
    service_level: float  # an arriving caller is answered within target_seconds
    target_seconds: float
    answer_seconds: float  # mean wait of the callers who are answered (ASA)
    queue_seconds: float  # mean wait of all callers, including those who hang up
    occupancy: float  # share of call-takers' time spent handling calls


def erlang_b(*, load: float, agents: int) -> float:
    """Blocking probability of M/M/N/N, by the stable recursion B(n) = A B(n-1) / (n + A B(n-1))."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must not be negative")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c_wait_probability(*, load: float, agents: int) -> float:
    """P(wait) of M/M/N: A^N/N! N/(N-A) over the same plus sum_{k<N} A^k/k!; 1 if N <= A."""
    if agents <= load:
        return 1.0
    blocking = erlang_b(load=load, agents=agents)
    return agents * blocking / (agents - load * (1.0 - blocking))


def _no_traffic(agents: int, target_seconds: float) -> QueueMetrics:
    return QueueMetrics(agents=agents, load=0.0, wait_probability=0.0, abandon_probability=0.0,
                        service_level=1.0, target_seconds=target_seconds, answer_seconds=0.0,
                        queue_seconds=0.0, occupancy=0.0)


def _check(arrival_rate: float, handle_seconds: float, agents: int, target_seconds: float) -> None:
    if arrival_rate < 0 or not math.isfinite(arrival_rate):
        raise ValueError(f"arrival rate must be a finite number >= 0, not {arrival_rate}")
    if handle_seconds <= 0:
        raise ValueError(f"handling time must be > 0 seconds, not {handle_seconds}")
    if agents < 1:
        raise ValueError(f"at least one call-taker, not {agents}")
    if target_seconds < 0:
        raise ValueError(f"target seconds must be >= 0, not {target_seconds}")


def erlang_c(*, arrival_rate: float, handle_seconds: float, agents: int,
             target_seconds: float) -> QueueMetrics:
    """M/M/N with infinitely patient callers: SL(T) = 1 - P(wait) exp(-(N-A) T / AHT)."""
    _check(arrival_rate, handle_seconds, agents, target_seconds)
    if arrival_rate == 0:
        return _no_traffic(agents, target_seconds)
    load = arrival_rate * handle_seconds
    if agents <= load:  # the queue grows without end: nobody is answered in time on average
        return QueueMetrics(agents=agents, load=load, wait_probability=1.0,
                            abandon_probability=0.0, service_level=0.0,
                            target_seconds=target_seconds, answer_seconds=math.inf,
                            queue_seconds=math.inf, occupancy=1.0)
    wait = erlang_c_wait_probability(load=load, agents=agents)
    asa = wait * handle_seconds / (agents - load)
    level = 1.0 - wait * math.exp(-(agents - load) * target_seconds / handle_seconds)
    return QueueMetrics(agents=agents, load=load, wait_probability=wait, abandon_probability=0.0,
                        service_level=max(0.0, level), target_seconds=target_seconds,
                        answer_seconds=asa, queue_seconds=asa, occupancy=load / agents)


def erlang_a(*, arrival_rate: float, handle_seconds: float, patience_seconds: float,
             agents: int, target_seconds: float) -> QueueMetrics:
    """M/M/N+M: callers hang up after an exponential patience of mean `patience_seconds`.

    `patience_seconds=math.inf` is Erlang C.
    """
    if patience_seconds <= 0:
        raise ValueError(f"patience must be > 0 seconds, not {patience_seconds}")
    if math.isinf(patience_seconds):
        return erlang_c(arrival_rate=arrival_rate, handle_seconds=handle_seconds, agents=agents,
                        target_seconds=target_seconds)
    _check(arrival_rate, handle_seconds, agents, target_seconds)
    if arrival_rate == 0:
        return _no_traffic(agents, target_seconds)
    lam, theta = arrival_rate, 1.0 / patience_seconds
    capacity = agents / handle_seconds  # N mu: answers per second when all are busy
    load = lam * handle_seconds
    blocking = erlang_b(load=load, agents=agents)
    if blocking < 1e-300:  # P(all busy) below any float: nobody waits
        return QueueMetrics(agents=agents, load=load, wait_probability=0.0,
                            abandon_probability=0.0, service_level=1.0,
                            target_seconds=target_seconds, answer_seconds=0.0, queue_seconds=0.0,
                            occupancy=load / agents)
    below = 1.0 / blocking - 1.0  # sum_{j<N} pi_j / pi_N
    below, terms = _queue_tail(lam=lam, capacity=capacity, theta=theta, below=below)
    norm = below + math.fsum(terms)
    queue_length = math.fsum(k * t for k, t in enumerate(terms)) / norm
    abandon = min(1.0, theta * queue_length / lam)
    level, answered_wait = _answered(terms=terms, capacity=capacity, theta=theta,
                                     target_seconds=target_seconds)
    served = 1.0 - abandon
    return QueueMetrics(
        agents=agents, load=load, wait_probability=math.fsum(terms) / norm,
        abandon_probability=abandon,
        service_level=min(1.0, (below + level) / norm), target_seconds=target_seconds,
        answer_seconds=(answered_wait / norm) / served if served > 0 else math.inf,
        queue_seconds=queue_length / lam,
        occupancy=min(1.0, lam * served * handle_seconds / agents),
    )


def _queue_tail(*, lam: float, capacity: float, theta: float,
                below: float) -> tuple[float, list[float]]:
    """pi_{N+k} / pi_N for k = 0, 1, ... until the rest is negligible (rescaled if huge)."""
    terms = [1.0]
    total = 1.0
    k = 0
    while True:
        k += 1
        death = capacity + k * theta
        term = terms[-1] * lam / death
        terms.append(term)
        total += term
        if death > lam and term < _TAIL_EPSILON * (total + below):
            return below, terms
        if term > _RESCALE_ABOVE:
            terms = [t / _RESCALE_ABOVE for t in terms]
            total /= _RESCALE_ABOVE
            below /= _RESCALE_ABOVE


def _answered(*, terms: list[float], capacity: float, theta: float,
              target_seconds: float) -> tuple[float, float]:
    """Unnormalised sums over the queue states: answered within T, and wait x answered.

    With k callers ahead: answered with S_k = N mu / (N mu + (k+1) theta); the answer time,
    given an answer, is a sum of exponentials of rates N mu + j theta, j = 1..k+1, so
    P(<= T) = P(J >= k+1) for J negative-binomial(r = N mu / theta + 1, x = 1 - e^(-theta T)),
    and its mean is sum_j 1 / (N mu + j theta).
    """
    within = 0.0
    wait_sum = 0.0
    mean_answer = 0.0
    r = capacity / theta + 1.0
    cumulative = 0.0  # P(J <= k)
    if target_seconds > 0:
        log_x = math.log(-math.expm1(-theta * target_seconds))
        log_term = -(capacity + theta) * target_seconds  # log P(J = 0) = r log(1 - x)
    for k, weight in enumerate(terms):
        answered = capacity / (capacity + (k + 1) * theta)
        mean_answer += 1.0 / (capacity + (k + 1) * theta)
        wait_sum += weight * answered * mean_answer
        if target_seconds > 0:
            cumulative = min(1.0, cumulative + math.exp(log_term))
            log_term += math.log((r + k) / (k + 1)) + log_x
            within += weight * answered * (1.0 - cumulative)
    return within, wait_sum


def fewest_agents(*, arrival_rate: float, handle_seconds: float, patience_seconds: float,
                  target_level: float, target_seconds: float, min_agents: int = 1,
                  max_agents: int = 10_000) -> QueueMetrics:
    """The smallest N >= min_agents whose service level reaches the target (Erlang A;
    Erlang C when patience is infinite). Service level grows with N, so a walk from
    N = floor(load) finds it in a few steps."""
    if not 0 < target_level < 1:
        raise ValueError(f"target service level must be between 0 and 1, not {target_level}")

    def metrics(n: int) -> QueueMetrics:
        return erlang_a(arrival_rate=arrival_rate, handle_seconds=handle_seconds,
                        patience_seconds=patience_seconds, agents=n,
                        target_seconds=target_seconds)

    n = max(min_agents, 1, int(arrival_rate * handle_seconds))
    best = metrics(n)
    if best.service_level >= target_level:
        while n > max(min_agents, 1):
            lower = metrics(n - 1)
            if lower.service_level < target_level:
                break
            n, best = n - 1, lower
        return best
    while best.service_level < target_level:
        n += 1
        if n > max_agents:
            raise ValueError(f"more than {max_agents} call-takers would be needed")
        best = metrics(n)
    return best

"""A week of 8-hour shifts covering the requirement with the fewest staff-hours: exact.

The week is a cycle (Sunday night's shift runs into Monday). With x_s shifts starting at
interval s and prefix sums y_t = x_0 + ... + x_t, every constraint is a difference of two
y's: x_s >= 0 is y_s - y_(s-1) >= 0; covering interval t is y_t - y_(t-L) >= r_t, or, for a
shift wrapping past Sunday, y_t - y_(n-L+t) >= r_t - k, where k = y_(n-1) is the number of
shifts. For a fixed k such a system is feasible exactly when its constraint graph has no
negative cycle (Bellman-Ford), and then it has an integer solution: the shortest distances.
Feasibility only grows with k, so a binary search between a lower bound (the required
staff-hours over the shift length) and a simple feasible roster finds the least k.
This is the cyclic staffing problem of Bartholdi, Orlin & Ratliff (1980), solved by their
"fix the sum" idea; docs/staffing.md has the details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from siaga112.planning.requirement import WEEKDAYS


@dataclass(frozen=True, kw_only=True)
class Roster:
    interval_minutes: int
    shift_intervals: int
    starts: list[int]  # shifts starting at each interval of the week
    coverage: list[int]  # call-takers on duty in each interval
    required: list[int]

    @property
    def shifts(self) -> int:
        return sum(self.starts)

    @property
    def shift_hours(self) -> float:
        return self.shift_intervals * self.interval_minutes / 60

    @property
    def staff_hours(self) -> float:
        return self.shifts * self.shift_hours

    @property
    def required_hours(self) -> float:
        return sum(self.required) * self.interval_minutes / 60

    def shift_list(self) -> list[dict[str, object]]:
        out = []
        for slot, count in enumerate(self.starts):
            if count:
                minute = slot * self.interval_minutes
                out.append({"weekday": WEEKDAYS[minute // 1440],
                            "start": f"{minute % 1440 // 60:02d}:{minute % 60:02d}",
                            "call_takers": count})
        return out

    def to_dict(self) -> dict[str, object]:
        return {"shift_hours": self.shift_hours, "shifts": self.shifts,
                "staff_hours": self.staff_hours, "required_hours": self.required_hours,
                "idle_hours": self.staff_hours - self.required_hours,
                "shift_starts": self.shift_list(), "scheduled": self.coverage}


def _feasible(required: Sequence[int], length: int, allowed: set[int],
              shifts: int) -> list[int] | None:
    """Shift starts with exactly `shifts` shifts covering `required`, or None."""
    n = len(required)
    # Node i stands for y_(i-1): node 0 is y_(-1) = 0, node n is y_(n-1) = shifts.
    edges: list[tuple[int, int, int]] = []  # (u, v, w): y_v - y_u <= w
    for t in range(n):
        edges.append((t + 1, t, 0))  # x_t >= 0
        if t not in allowed:
            edges.append((t, t + 1, 0))  # x_t <= 0
        if t >= length - 1:
            edges.append((t + 1, t + 1 - length, -required[t]))
        else:
            edges.append((t + 1, n - length + t + 1, shifts - required[t]))
    edges.append((0, n, shifts))
    edges.append((n, 0, -shifts))
    # Bellman-Ford from a virtual source at distance 0 to every node. Passes alternate the
    # edge order (Yen), which settles these chain-like graphs in a few passes.
    edges.sort()
    orders = (edges, edges[::-1])
    dist = [0] * (n + 1)
    for sweep in range(n + 2):
        changed = False
        for u, v, w in orders[sweep % 2]:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            y = [d - dist[0] for d in dist]
            return [y[t + 1] - y[t] for t in range(n)]
    return None  # still relaxing after n+2 passes: a negative cycle, infeasible


def cover(*, required: Sequence[int], interval_minutes: int, shift_hours: float = 8,
          start_hours: Sequence[int] | None = None) -> Roster:
    """The fewest shifts of `shift_hours` covering `required` (one value per interval, a week).

    `start_hours`: the hours of the day a shift may start (e.g. 0, 8, 16); every full hour
    if None.
    """
    n = len(required)
    length = round(shift_hours * 60 / interval_minutes)
    if length * interval_minutes != shift_hours * 60 or not 0 < length <= n:
        raise ValueError(f"a {shift_hours} h shift is not a whole number of "
                         f"{interval_minutes}-minute intervals within the week")
    if any(r < 0 for r in required):
        raise ValueError("requirements must not be negative")
    hours = set(range(24)) if start_hours is None else set(start_hours)
    if not hours or not hours <= set(range(24)):
        raise ValueError("shift start hours must be whole hours 0-23")
    allowed = {s for s in range(n)
               if (s * interval_minutes) % 60 == 0 and (s * interval_minutes) % 1440 // 60 in hours}
    # A simple feasible roster: at every allowed start, the most its shift must cover.
    simple = [0] * n
    for t in range(n):
        starts = [s % n for s in range(t - length + 1, t + 1) if s % n in allowed]
        if not starts and required[t] > 0:
            raise ValueError(f"no allowed shift start covers interval {t}")
    for s in allowed:
        simple[s] = max(required[(s + i) % n] for i in range(length))
    low = max(-(-sum(required) // length), max(required, default=0))
    high = sum(simple)
    best = simple
    while low < high:
        middle = (low + high) // 2
        found = _feasible(required, length, allowed, middle)
        if found is None:
            low = middle + 1
        else:
            high, best = middle, found
    if sum(best) != high:
        found = _feasible(required, length, allowed, high)
        assert found is not None
        best = found
    return from_starts(starts=best, required=required, interval_minutes=interval_minutes,
                       shift_intervals=length)


def from_starts(*, starts: Sequence[int], required: Sequence[int], interval_minutes: int,
                shift_intervals: int) -> Roster:
    """The roster that starts `starts[s]` shifts at each interval s of the week."""
    n = len(starts)
    coverage = [sum(starts[(t - i) % n] for i in range(shift_intervals)) for t in range(n)]
    return Roster(interval_minutes=interval_minutes, shift_intervals=shift_intervals,
                  starts=list(starts), coverage=coverage, required=list(required))


def with_daily_shift(roster: Roster, *, start_hour: int) -> Roster:
    """The same roster plus one more shift every day, starting at `start_hour`."""
    per_day = 1440 // roster.interval_minutes
    first = start_hour * 60 // roster.interval_minutes
    starts = list(roster.starts)
    for day in range(len(starts) // per_day):
        starts[day * per_day + first] += 1
    return from_starts(starts=starts, required=roster.required,
                       interval_minutes=roster.interval_minutes,
                       shift_intervals=roster.shift_intervals)

"""8-hour shifts covering the requirement with the fewest staff-hours."""

from __future__ import annotations

import itertools
import random

import pytest

from siaga112.planning.roster import _feasible, cover, from_starts, with_daily_shift

# A week by the hour: 1 at night, 2 by day, 3 in the evening peak.
DAY = [1] * 6 + [2] * 10 + [3] * 4 + [2] * 4
WEEK = DAY * 7


def covers(roster, required):
    return all(c >= r for c, r in zip(roster.coverage, required, strict=True))


def test_the_roster_covers_every_hour_with_the_fewest_shifts():
    roster = cover(required=WEEK, interval_minutes=60)
    assert covers(roster, WEEK)
    assert roster.shift_hours == 8 and roster.staff_hours == 8 * roster.shifts
    # 46 staff-hours a day are needed; 6 shifts a day (48 h) do it. The staff-hours floor,
    # ceil(322 / 8) = 41 shifts a week, cannot be reached: 42 is the least there is.
    assert roster.required_hours == 7 * 46 and roster.shifts == 42
    assert roster.to_dict()["idle_hours"] == 42 * 8 - 7 * 46
    assert _feasible(WEEK, 8, set(range(168)), 41) is None


def brute_force(required, length):
    best = None
    n = len(required)
    for starts in itertools.product(range(4), repeat=n):
        total = sum(starts)
        if best is not None and total >= best:
            continue
        if all(sum(starts[(t - i) % n] for i in range(length)) >= required[t] for t in range(n)):
            best = total
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_fewest_shifts_equal_an_exhaustive_search_on_small_cycles(seed):
    rng = random.Random(seed)
    required = [rng.randint(0, 3) for _ in range(7)]
    roster = cover(required=required, interval_minutes=60, shift_hours=3)
    assert covers(roster, required)
    assert roster.shifts == brute_force(required, 3)


def test_fixed_shift_times_cover_too_but_cost_more():
    free = cover(required=WEEK, interval_minutes=60)
    three = cover(required=WEEK, interval_minutes=60, start_hours=[0, 8, 16])
    assert covers(three, WEEK)
    assert {s["start"] for s in three.shift_list()} <= {"00:00", "08:00", "16:00"}
    assert three.staff_hours >= free.staff_hours
    # 00-08 needs up to 2 (06:00), 08-16 needs 2, 16-24 needs 3: 7 shifts a day.
    assert three.shifts == 7 * 7


def test_half_hour_intervals_and_shifts_across_midnight_sunday():
    required = [0] * (7 * 48)
    required[-2:] = [2, 2]  # Sunday 23:00-24:00
    required[:4] = [2, 2, 2, 2]  # Monday 00:00-02:00
    roster = cover(required=required, interval_minutes=30)
    assert covers(roster, required) and roster.shifts == 2  # one shift spans both sides


def test_one_more_shift_each_night():
    roster = cover(required=WEEK, interval_minutes=60)
    more = with_daily_shift(roster, start_hour=22)
    assert more.shifts == roster.shifts + 7
    assert more.coverage[22] == roster.coverage[22] + 1
    assert more.coverage[5] == roster.coverage[5] + 1  # 05:00 the next morning
    assert more.coverage[6] == roster.coverage[6]
    same = from_starts(starts=roster.starts, required=WEEK, interval_minutes=60, shift_intervals=8)
    assert same.coverage == roster.coverage


def test_impossible_rosters_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="whole number"):
        cover(required=WEEK, interval_minutes=60, shift_hours=7.5)
    with pytest.raises(ValueError, match="0-23"):
        cover(required=WEEK, interval_minutes=60, start_hours=[24])
    with pytest.raises(ValueError, match="no allowed shift start"):
        cover(required=WEEK, interval_minutes=60, shift_hours=4, start_hours=[0, 8, 16])

"""The rules the reports count by, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from siaga112.domain.errors import InvalidValue
from siaga112.reports.call_counts import Counts
from siaga112.reports.exports import flatten
from siaga112.reports.monthly import KINDS, call_kinds
from siaga112.reports.period import Period
from siaga112.reports.stats import percentile
from siaga112.reports.surabaya import duration

WITA = ZoneInfo("Asia/Makassar")


def test_a_period_is_whole_local_days_in_utc():
    p = Period.parse("2025-06-10", "2025-06-30", WITA)
    assert p.start == datetime(2025, 6, 9, 16, tzinfo=UTC)
    assert p.end == datetime(2025, 6, 30, 16, tzinfo=UTC)
    assert p.days == 21 and p.offsets() == [(p.start, 8 * 3600)]


@pytest.mark.parametrize(("first", "last", "message"), [
    ("2025-06-31", "2025-07-01", "'from': write the day as YYYY-MM-DD, not '2025-06-31'"),
    ("2025-06-10", "10/06/2025", "'to': write the day as YYYY-MM-DD"),
    ("2025-06-30", "2025-06-10", "ends (2025-06-10) before it starts (2025-06-30)"),
    ("2020-01-01", "2025-06-10", "at most 1100 days"),
])
def test_a_period_that_makes_no_sense_is_refused_with_the_reason(first, last, message):
    with pytest.raises(InvalidValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        Period.parse(first, last, WITA)


def test_a_zone_that_changes_its_offset_gets_one_segment_per_offset():
    p = Period(date(2025, 3, 29), date(2025, 3, 31), ZoneInfo("Europe/Amsterdam"))
    assert p.offsets() == [(p.start, 3600), (datetime(2025, 3, 30, 1, tzinfo=UTC), 7200)]


def test_percentiles_are_nearest_rank():
    assert percentile({}, 0.9) is None
    assert percentile({5: 9, 30: 1}, 0.9) == 5  # 9 of 10 within 5 s
    assert percentile({5: 8, 30: 2}, 0.9) == 30
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == 2


def test_the_published_kinds_add_up_to_all_calls():
    c = Counts(calls=20, answered=14, abandoned_in_queue=3, screened_out=2, valid=6)
    c.by_disposition.update(emergency=2, non_emergency=4, prank=3, silent=1, hang_up=1,
                            wrong_number=1)
    kinds = call_kinds(c)
    assert tuple(kinds) == KINDS and sum(kinds.values()) == 20
    assert kinds == {"darurat": 2, "informasi": 4, "prank": 3, "ghost": 3, "terputus": 4,
                     "lainnya": 4}  # 1 wrong number, 2 undisposed, 1 still waiting


def test_the_csv_keys_name_rows_by_their_hour_day_or_month():
    rows = dict(flatten({"total_calls": 3, "daily": [{"date": "2025-06-10", "calls": 3}],
                         "service": {"by_hour": [{"hour": 7, "answered_within": {"15": 0.5}}]}}))
    assert rows == {"total_calls": 3, "daily.2025-06-10.calls": 3,
                    "service.by_hour.7.answered_within.15": 0.5}


def test_surabaya_durations_read_as_hours_minutes_seconds():
    start = datetime(2025, 6, 10, tzinfo=UTC)
    assert duration(start, None) == ""
    assert duration(start, datetime(2025, 6, 10, 1, 2, 3, tzinfo=UTC)) == "1:02:03"

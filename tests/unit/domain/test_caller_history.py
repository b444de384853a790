"""A number's earlier calls, as flags for the call-taker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from siaga112.domain.caller_history import CallerFlag, caller_flags
from siaga112.domain.calls import Call, Channel, Disposition
from siaga112.domain.phone import CallerNumber

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def call(ago: timedelta, disposition: Disposition | None = None, *, abandoned: bool = False,
         incident: uuid.UUID | None = None) -> Call:
    at = NOW - ago
    c = Call.receive(channel=Channel.VOICE, caller=CallerNumber.parse("081234567890"), at=at)
    c.enqueue(at=at)
    if abandoned:
        c.abandon(at=at + timedelta(seconds=30))
        return c
    c.offer(position_code="pos-01", at=at)
    c.connect(call_taker="ani", at=at + timedelta(seconds=5))
    if disposition is not None:
        c.dispose(disposition, by="ani", at=at + timedelta(seconds=20))
    if incident is not None:
        c.link_incident(incident, by="ani", at=at + timedelta(seconds=20))
    c.release(at=at + timedelta(seconds=40))
    return c


def test_a_new_number_has_no_flags() -> None:
    assert caller_flags([], now=NOW) == []


def test_three_nuisance_calls_in_thirty_days_flag_the_number() -> None:
    nuisances = [call(timedelta(days=d), disposition) for d, disposition in
                 ((1, Disposition.PRANK), (9, Disposition.SILENT), (29, Disposition.HANG_UP))]
    assert caller_flags(nuisances, now=NOW) == [CallerFlag.REPEAT_NUISANCE]
    old = nuisances[:2] + [call(timedelta(days=31), Disposition.PRANK)]
    assert caller_flags(old, now=NOW) == []  # the third is too old
    harmless = nuisances[:2] + [call(timedelta(days=3), Disposition.WRONG_NUMBER)]
    assert caller_flags(harmless, now=NOW) == []


def test_calling_again_and_again_within_the_hour() -> None:
    earlier = [call(timedelta(minutes=m)) for m in (5, 20, 59)]
    assert caller_flags(earlier, now=NOW) == [CallerFlag.REPEAT_CALLER]
    assert caller_flags(earlier[:2], now=NOW) == []


def test_an_emergency_lately_an_open_incident_and_a_caller_who_gave_up() -> None:
    incident = uuid.uuid4()
    earlier = [call(timedelta(hours=3), Disposition.EMERGENCY, incident=incident),
               call(timedelta(minutes=40), abandoned=True)]
    assert caller_flags(earlier, now=NOW, active_incidents={incident}) == [
        CallerFlag.RECENT_EMERGENCY, CallerFlag.ACTIVE_INCIDENT, CallerFlag.GAVE_UP_WAITING]
    # The incident closed, the emergency was two days ago, the hang-up two hours ago.
    later = NOW + timedelta(days=2)
    assert caller_flags(earlier, now=later, active_incidents=set()) == []

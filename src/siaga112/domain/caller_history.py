"""What a caller's earlier calls tell the call-taker at a glance (flags), in pure Python.

Kendari's first weeks: a fifth of the calls were pranks, silence or instant hang-ups, often
from the same numbers; and a real emergency is often called in again by the same person
when help seems slow. The flags point at both, without deciding anything: the call-taker
still answers every call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Set
from datetime import datetime, timedelta
from enum import StrEnum

from siaga112.domain.calls import NUISANCE_DISPOSITIONS, Call, CallState, Disposition
from siaga112.domain.lifecycle import check_aware

NUISANCE_WINDOW = timedelta(days=30)
NUISANCE_CALLS = 3  # nuisance calls in the window that make a number a repeat nuisance
REPEAT_WINDOW = timedelta(hours=1)
REPEAT_CALLS = 3  # calls in the last hour (this one not counted) that make it a repeat caller
EMERGENCY_WINDOW = timedelta(hours=24)
ABANDONED_WINDOW = timedelta(hours=1)


class CallerFlag(StrEnum):
    REPEAT_NUISANCE = "repeat_nuisance"  # pranks, silence, hang-ups from this number lately
    REPEAT_CALLER = "repeat_caller"  # called several times within the last hour
    RECENT_EMERGENCY = "recent_emergency"  # reported an emergency within the last day
    ACTIVE_INCIDENT = "active_incident"  # an earlier call is linked to an incident still open
    GAVE_UP_WAITING = "gave_up_waiting"  # hung up in the queue within the last hour


def caller_flags(earlier: Iterable[Call], *, now: datetime,
                 active_incidents: Set[uuid.UUID] = frozenset()) -> list[CallerFlag]:
    """The flags of a number from its earlier calls (not the current one), in a fixed order."""
    check_aware(now)
    nuisance = repeat = 0
    flags: set[CallerFlag] = set()
    for call in earlier:
        age = now - call.received_at
        if call.disposition in NUISANCE_DISPOSITIONS and age <= NUISANCE_WINDOW:
            nuisance += 1
        if age <= REPEAT_WINDOW:
            repeat += 1
        if call.disposition is Disposition.EMERGENCY and age <= EMERGENCY_WINDOW:
            flags.add(CallerFlag.RECENT_EMERGENCY)
        if call.incident_id is not None and call.incident_id in active_incidents:
            flags.add(CallerFlag.ACTIVE_INCIDENT)
        if call.state is CallState.ABANDONED and age <= ABANDONED_WINDOW:
            flags.add(CallerFlag.GAVE_UP_WAITING)
    if nuisance >= NUISANCE_CALLS:
        flags.add(CallerFlag.REPEAT_NUISANCE)
    if repeat >= REPEAT_CALLS:
        flags.add(CallerFlag.REPEAT_CALLER)
    return [flag for flag in CallerFlag if flag in flags]

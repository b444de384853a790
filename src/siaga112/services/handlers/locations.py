"""Location fixes of a call: recorded from any source, matched to calls by number, chosen
only by a person (docs/location.md)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from siaga112.config import CenterConfig
from siaga112.domain.clock import Clock
from siaga112.domain.errors import DomainError, InvalidValue, NotFound
from siaga112.domain.events import (
    CallLocationChosen, CallReceived, LocationFixRecorded, LocationFixUnmatched,
)
from siaga112.domain.locations import LocationFix, matching_call
from siaga112.domain.phone import normalize_number
from siaga112.services import commands as c
from siaga112.services.batching import GroupCommitter
from siaga112.services.gazetteer import gazetteer_for
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
# A positioning time further ahead than this is a wrong handset clock: the time the fix
# reached the center stands in for it (else it would be "newest" and suggested forever).
FUTURE_TOLERANCE = timedelta(minutes=1)


def outside_area(center: CenterConfig, fix: LocationFix) -> bool:
    """Outside the center's area (its boundary, else the hull of its kelurahan offices
    with a margin): the caller may belong to a neighbouring center."""
    return gazetteer_for(center).outside_area(fix.point)


def match_window(center: CenterConfig) -> timedelta:
    return timedelta(minutes=center.location.match_window_minutes)


def _recorded(fix: LocationFix, at: datetime, **extra: Any) -> LocationFixRecorded:
    # The log says a fix came, from where and how precise; not where (personal data).
    return LocationFixRecorded(
        aggregate_id=str(fix.call_id), at=at, after=fix.source.value,
        data={"fix": str(fix.id), "radius_m": fix.radius_m, "outside_area": fix.outside_area},
        **extra)


def record_location_fix(cmd: c.RecordLocationFix, uow: UnitOfWork, *, clock: Clock,
                        center: CenterConfig) -> uuid.UUID:
    now = clock.now()
    with uow:
        call = uow.calls.get(cmd.call_id)
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        fix = LocationFix.create(
            source=cmd.source, lat=cmd.lat, lon=cmd.lon, radius_m=cmd.radius_m,
            confidence=cmd.confidence, method=cmd.method, fixed_at=cmd.fixed_at or now,
            received_at=now, call_id=call.id, caller_number=call.caller_number,
            detail=cmd.detail)
        fix.outside_area = outside_area(center, fix)
        uow.locations.add(fix)
        uow.record(_recorded(fix, now))
        uow.commit()
        return fix.id


@dataclass(frozen=True)
class FixOutcome:
    fix_id: uuid.UUID
    call_id: uuid.UUID | None  # None: matched no call, listed for the supervisor
    outside_area: bool


def _matchable(raw: str | None) -> str | None:
    number = normalize_number(raw)
    return number if number is not None and number.startswith("+") else None  # no short codes


def ingest_location_fixes(cmd: c.IngestLocationFixes, uow: UnitOfWork, *, clock: Clock,
                          center: CenterConfig) -> list[FixOutcome | DomainError]:
    """Match each fix to the live or most recent call from its number and store them all
    in one transaction. A fix the domain refuses gets its error; the others are kept."""
    now = clock.now()
    window = match_window(center)
    area = gazetteer_for(center)
    numbers = [_matchable(item.caller) for item in cmd.fixes]
    results: list[FixOutcome | DomainError] = []
    with uow:
        uow.locations.lock_matching()
        calls = uow.locations.calls_near({n for n in numbers if n}, since=now - window)
        fixes: list[LocationFix] = []
        for item, number in zip(cmd.fixes, numbers):
            fixed_at = item.fixed_at or now
            try:
                fix = LocationFix.create(
                    source=item.source, lat=item.lat, lon=item.lon, radius_m=item.radius_m,
                    confidence=item.confidence, method=item.method,
                    fixed_at=now if fixed_at > now + FUTURE_TOLERANCE else fixed_at,
                    received_at=now, caller_number=number, detail=item.detail,
                    call_id=matching_call(calls.get(number, ()), at=now, window=window)
                    if number else None)
            except DomainError as exc:
                results.append(exc)
                continue
            fix.outside_area = area.outside_area(fix.point)
            fixes.append(fix)
            results.append(FixOutcome(fix.id, fix.call_id, fix.outside_area))
            if fix.call_id is not None:
                uow.record(_recorded(fix, now))
            else:
                uow.record(LocationFixUnmatched(
                    aggregate_id=str(fix.id), at=now, after=fix.source.value,
                    data={"radius_m": fix.radius_m, "outside_area": fix.outside_area,
                          "withheld": number is None}))
        uow.locations.add_all(fixes)
        uow.commit()
    return results


def attach_waiting_fixes(cmd: c.AttachWaitingFixes, uow: UnitOfWork, *, clock: Clock,
                         center: CenterConfig) -> int:
    """Fixes that came before their call (AML can beat the INVITE) join it when it comes:
    the same rule as for a fix that finds its call (`matching_call`), seen from the call."""
    window = match_window(center)
    with uow:
        uow.locations.lock_matching()
        spans = {n: s for n, s in uow.locations.spans_of(set(cmd.call_ids)).items()
                 if _matchable(n)}
        if not spans:
            return 0
        earliest = min(s.received_at for group in spans.values() for s in group)
        now = clock.now()
        attached = 0
        for fix in uow.locations.waiting_from(spans.keys(), since=earliest - window):
            call_id = matching_call(spans[fix.caller_number], at=fix.received_at, window=window)
            if call_id is not None:
                fix.call_id = call_id
                uow.record(_recorded(fix, now, reason="arrived_before_the_call"))
                attached += 1
        if attached:
            uow.commit()
        return attached


def choose_call_location(cmd: c.ChooseCallLocation, uow: UnitOfWork, *, clock: Clock) -> None:
    with uow:
        call = uow.calls.get(cmd.call_id, for_update=True)
        if call is None:
            raise NotFound(f"no call {cmd.call_id}")
        fix = uow.locations.get(cmd.fix_id)
        if fix is None or fix.call_id != call.id:
            raise InvalidValue(f"fix {cmd.fix_id} is not one of this call's locations")
        before = str(call.chosen_location_id) if call.chosen_location_id else None
        call.chosen_location_id = fix.id
        uow.record(CallLocationChosen(aggregate_id=str(call.id), at=clock.now(), actor=cmd.by,
                                      before=before, after=str(fix.id)))
        uow.commit()


def subscribe(bus: Any) -> GroupCommitter[uuid.UUID, int]:
    """A new call takes in the fixes from its number that were waiting for it. Done by a
    writer of its own, in batches, so that no caller of the bus (an API request, the SIP
    node's writer) waits for it: the fixes appear in the trail a moment after the call."""
    writer: GroupCommitter[uuid.UUID, int] = GroupCommitter(
        lambda ids: [bus.handle(c.AttachWaitingFixes(call_ids=tuple(ids)))] * len(ids),
        name="attach-waiting-fixes")

    def on_call_received(event: CallReceived) -> None:
        if not event.data.get("withheld"):
            writer.submit(uuid.UUID(event.aggregate_id)).add_done_callback(_log_failure)

    bus.subscribe(CallReceived, on_call_received)
    return writer


def _log_failure(future: Any) -> None:
    if future.exception() is not None:
        log.error("waiting location fixes not attached: %s", future.exception())


def fix_committer(bus: Any) -> GroupCommitter[c.IncomingFix, FixOutcome]:
    """The group-commit writer for incoming fixes (AML): one transaction per batch."""
    return GroupCommitter(lambda items: bus.handle(c.IngestLocationFixes(fixes=tuple(items))),
                          name="location-fixes")

"""Personal data (UU 27/2022): retention purges and a caller's own data on request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from siaga112.config import Retention
from siaga112.domain.clock import Clock
from siaga112.domain.events import PersonalDataViewed
from siaga112.domain.phone import normalize_number
from siaga112.services.ports import UnitOfWork


@dataclass(frozen=True)
class PurgeReport:
    numbers_masked: int
    locations_coarsened: int
    location_fixes_deleted: int
    notes_blanked: int
    photos_deleted: int = 0  # callers' scene photos (share-my-location links)
    block_numbers_masked: int = 0  # numbers of ended nuisance blocks

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _cutoff(now: datetime, days: int) -> datetime | None:
    return None if days == 0 else now - timedelta(days=days)


PhotoPurger = Callable[[UnitOfWork, datetime | None], int]  # (unit of work, cutoff) -> rows


def purge(uow: UnitOfWork, *, retention: Retention, clock: Clock, dry_run: bool = False,
          actor: str = "retention", purge_photos: PhotoPurger | None = None,
          mask_block_numbers: PhotoPurger | None = None) -> PurgeReport:
    """Apply the center's retention; the count of what was purged goes to the audit log."""
    now = clock.now()
    with uow:
        numbers = uow.calls.purge_numbers(before=_cutoff(now, retention.numbers_days))
        # The SIP identity header as it arrived, and closed callback tasks, hold it too.
        uow.sip_calls.purge_identities(before=_cutoff(now, retention.numbers_days))
        uow.callbacks.purge_numbers(before=_cutoff(now, retention.numbers_days))
        places_before = _cutoff(now, retention.locations_days)
        places = uow.incidents.purge_locations(before=places_before)
        fixes = uow.locations.purge(before=places_before)
        notes = uow.incidents.purge_notes(before=_cutoff(now, retention.notes_days))
        photos = purge_photos(uow, places_before) if purge_photos else 0  # same class as places
        numbers_before = _cutoff(now, retention.numbers_days)
        blocks = mask_block_numbers(uow, numbers_before) if mask_block_numbers else 0
        report = PurgeReport(numbers, places, fixes, notes, photos, blocks)
        if dry_run:
            uow.rollback()
            return report
        uow.record(PersonalDataViewed(aggregate_id="retention", at=now, actor=actor,
                                      after="purged", data=report.as_dict()))
        uow.commit()
    return report


def export_caller(uow: UnitOfWork, *, number: str, by: str, clock: Clock) -> dict[str, Any]:
    """Everything stored about one caller's number, for the caller's request; logged."""
    normalized = normalize_number(number)
    with uow:
        calls = list(uow.calls.list(limit=100_000, caller_number=normalized)) if normalized else []
        incident_ids = {c.incident_id for c in calls if c.incident_id}
        incidents = [uow.incidents.get(i) for i in sorted(incident_ids, key=str)]
        uow.record(PersonalDataViewed(aggregate_id=normalized or number, at=clock.now(),
                                      actor=by, after="exported",
                                      data={"calls": len(calls)}))
        uow.commit()
    return {
        "number": normalized, "exported_at": clock.now().isoformat(),
        "calls": [{"id": str(c.id), "received_at": c.received_at.isoformat(),
                   "channel": c.channel.value, "state": c.state.value,
                   "disposition": c.disposition.value if c.disposition else None,
                   "caller_raw": c.caller_raw, "incident_id": str(c.incident_id or "") or None}
                  for c in calls],
        "incidents": [{"id": str(i.id), "number": i.number, "type": i.type_code,
                       "created_at": i.created_at.isoformat(), "address": i.address,
                       "lat": i.location_lat, "lon": i.location_lon,
                       "notes": [{"at": n.at.isoformat(), "text": n.text} for n in i.notes]}
                      for i in incidents if i is not None],
    }

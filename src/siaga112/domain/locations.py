"""Where the caller is: fixes from every source, kept as a trail per call."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from siaga112.domain.errors import InvalidValue
from siaga112.domain.geo import GeoPoint
from siaga112.domain.lifecycle import check_aware


class LocationSource(StrEnum):
    NETWORK = "network"  # PIDF-LO in the SIP INVITE (NG112)
    AML = "aml"  # Advanced Mobile Location from the handset
    MANUAL = "manual"  # the call-taker's map click or gazetteer pick
    LINK = "link"  # the caller shared it through a link sent by SMS


class LocationMethod(StrEnum):
    GNSS = "gnss"
    WIFI = "wifi"
    CELL = "cell"
    FUSED = "fused"  # the handset combined several (AML `F`)
    MANUAL = "manual"
    UNKNOWN = "unknown"


@dataclass(eq=False, kw_only=True)
class LocationFix:
    id: uuid.UUID
    source: LocationSource
    lat: float
    lon: float
    radius_m: float | None
    confidence: float | None  # percent, as the source states it
    method: LocationMethod
    fixed_at: datetime  # when the position was taken
    received_at: datetime  # when it reached the center
    call_id: uuid.UUID | None = None  # None: matched no call (yet)
    caller_number: str | None = None  # normalized, for matching
    outside_area: bool = False
    detail: str | None = None  # shape, warnings, the sender's extra fields (JSON text)

    @classmethod
    def create(cls, *, source: LocationSource, lat: float, lon: float, radius_m: float | None,
               confidence: float | None, method: LocationMethod, fixed_at: datetime,
               received_at: datetime, call_id: uuid.UUID | None = None,
               caller_number: str | None = None, detail: str | None = None) -> LocationFix:
        GeoPoint(lat, lon)  # refuses impossible coordinates
        check_aware(fixed_at)
        check_aware(received_at)
        if radius_m is not None and not radius_m >= 0:
            raise InvalidValue(f"radius {radius_m} must be zero or more metres")
        if confidence is not None and not 0 <= confidence <= 100:
            raise InvalidValue(f"confidence {confidence} must be 0..100 percent")
        return cls(id=uuid.uuid4(), source=source, lat=lat, lon=lon, radius_m=radius_m,
                   confidence=confidence, method=method, fixed_at=fixed_at,
                   received_at=received_at, call_id=call_id, caller_number=caller_number,
                   detail=detail)

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.lat, self.lon)


def suggested_fix(fixes: Iterable[LocationFix]) -> LocationFix | None:
    """The fix to suggest to the call-taker: the newest, then the most precise.

    Fixes taken within a minute of the newest count as equally new; among them the
    smallest radius wins. A suggestion never replaces the call-taker's choice by itself.
    """
    trail = list(fixes)
    if not trail:
        return None
    newest = max(f.fixed_at for f in trail)
    recent = [f for f in trail if (newest - f.fixed_at).total_seconds() <= 60]
    return min(recent, key=lambda f: (f.radius_m if f.radius_m is not None else float("inf"),
                                      -f.fixed_at.timestamp()))


# --- which call a fix belongs to ---------------------------------------------------------
DEFAULT_MATCH_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True, kw_only=True)
class CallSpan:
    """What matching needs of a call from the fix's number: when it began and ended."""

    call_id: uuid.UUID
    received_at: datetime
    ended_at: datetime | None  # None: the call is live


def gap(call: CallSpan, at: datetime) -> timedelta:
    """How far `at` lies outside the call: zero during it (a live call lasts until now),
    else the time to its start (before it) or since its end (after it)."""
    if at < call.received_at:
        return call.received_at - at
    if call.ended_at is None or at <= call.ended_at:
        return timedelta(0)
    return at - call.ended_at


def matching_call(calls: Iterable[CallSpan], *, at: datetime,
                  window: timedelta = DEFAULT_MATCH_WINDOW) -> uuid.UUID | None:
    """The call a fix that reached the center at `at` belongs to, among calls from the
    same number: one it falls within (a live call), else the most recent one whose start
    or end is at most `window` away (edges included). None: the fix waits, unmatched."""
    near = [c for c in calls if gap(c, at) <= window]
    if not near:
        return None
    return max(near, key=lambda c: (gap(c, at) == timedelta(0), c.received_at)).call_id

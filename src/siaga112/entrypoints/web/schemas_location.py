"""API schemas for caller locations, AML and the gazetteer (named by purpose)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from siaga112.domain.gazetteer import Gazetteer, Place, ReverseMatch
from siaga112.domain.locations import LocationFix, LocationMethod, LocationSource
from siaga112.domain.phone import mask_number


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AmlSms(_In):
    """What an SMS gateway delivers: who sent the SMS, and its text as it came."""

    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=40)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class AmlAccepted(BaseModel):
    """Stored (committed) before this answer: the sender may forget the message."""

    fix_id: uuid.UUID
    matched: bool  # joined a call from the same number; else listed for the supervisor
    outside_area: bool
    format: str
    warnings: list[str]


class ManualFixCreate(_In):
    """The call-taker's map click or gazetteer pick."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float | None = Field(default=None, ge=0, le=100_000)
    label: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)] = None
    choose: bool = False  # also take it as the call's location (a person's choice)


class LocationChoose(_In):
    fix_id: uuid.UUID


class AreaRef(BaseModel):
    code: str
    name: str


class PlacePublic(BaseModel):
    """Where a point is: its kelurahan and kecamatan, and how far the kelurahan office is."""

    kelurahan: AreaRef
    kecamatan: AreaRef
    distance_m: float
    method: str  # "polygon" or "nearest_office"

    @classmethod
    def of(cls, match: ReverseMatch | None) -> PlacePublic | None:
        if match is None:
            return None
        k = match.kelurahan
        return cls(kelurahan=AreaRef(code=k.code, name=k.name),
                   kecamatan=AreaRef(code=k.kecamatan.code, name=k.kecamatan.name),
                   distance_m=round(match.distance_m, 1), method=match.method)


def _detail(fix: LocationFix) -> dict[str, Any]:
    try:
        detail = json.loads(fix.detail) if fix.detail else {}
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


class LocationFixPublic(BaseModel):
    id: uuid.UUID
    source: LocationSource
    lat: float
    lon: float
    radius_m: float | None
    confidence: float | None
    method: LocationMethod
    fixed_at: datetime
    received_at: datetime
    outside_area: bool
    place: PlacePublic | None
    format: str | None = None  # AML: sms-v1, sms-v2, https
    label: str | None = None  # a manual fix: the place picked
    warnings: list[str] = []
    suggested: bool = False
    chosen: bool = False

    @classmethod
    def of(cls, fix: LocationFix, gazetteer: Gazetteer, *, suggested: bool = False,
           chosen: bool = False) -> LocationFixPublic:
        detail = _detail(fix)
        warnings = detail.get("warnings")
        return cls(id=fix.id, source=fix.source, lat=fix.lat, lon=fix.lon,
                   radius_m=fix.radius_m, confidence=fix.confidence, method=fix.method,
                   fixed_at=fix.fixed_at, received_at=fix.received_at,
                   outside_area=fix.outside_area,
                   place=PlacePublic.of(gazetteer.reverse(fix.point)),
                   format=str(detail["format"]) if "format" in detail else None,
                   label=str(detail["label"]) if "label" in detail else None,
                   warnings=[str(w) for w in warnings] if isinstance(warnings, list) else [],
                   suggested=suggested, chosen=chosen)


class CallLocations(BaseModel):
    """A call's trail of fixes, oldest first; `suggested` is a hint, `chosen` a person's
    decision (never made automatically)."""

    call_id: uuid.UUID
    chosen_fix_id: uuid.UUID | None
    suggested_fix_id: uuid.UUID | None
    fixes: list[LocationFixPublic]


class UnmatchedFixPublic(LocationFixPublic):
    caller_number: str  # masked

    @classmethod
    def unmatched(cls, fix: LocationFix, gazetteer: Gazetteer) -> UnmatchedFixPublic:
        base = LocationFixPublic.of(fix, gazetteer)
        return cls(**base.model_dump(), caller_number=mask_number(fix.caller_number))


class GazetteerHit(BaseModel):
    kind: str  # kelurahan, kecamatan, facility
    code: str
    name: str
    kecamatan: AreaRef | None
    lat: float
    lon: float
    score: float

    @classmethod
    def of(cls, place: Place, score: float) -> GazetteerHit:
        kec = place.kecamatan
        return cls(kind=place.kind, code=place.code, name=place.name,
                   kecamatan=AreaRef(code=kec.code, name=kec.name) if kec else None,
                   lat=place.point.lat, lon=place.point.lon, score=score)


class ReversePublic(BaseModel):
    lat: float
    lon: float
    place: PlacePublic | None  # None: the center has no gazetteer
    outside_area: bool

"""Dispatch: which units to send (ranked by travel time) and each unit's assignment.

`recommend` is pure: it gets the plan's requirements, the units with where they are,
and a function that estimates travel times (the routing adapter behind a port), and
returns, per requirement, the eligible units fastest first and every other unit of that
agency with the reason it is left out.

An `Assignment` is one unit sent to one incident: its timeline (dispatched, acknowledged,
en route, on scene, transporting, returning, clear) and the intervals computed from it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from siaga112.domain.errors import Conflict
from siaga112.domain.geo import GeoPoint
from siaga112.domain.lifecycle import check_aware
from siaga112.domain.plans import UnitRequirement
from siaga112.domain.units import ASSIGNED_STATUSES, Unit, UnitStatus


class TravelEstimate(NamedTuple):
    """Time and road distance from a unit's position to the incident, and how it was estimated.

    NamedTuples here and below: a recommendation makes one per unit (1,000 in a city),
    and they cost a fraction of a frozen dataclass to create."""

    seconds: float
    meters: float
    method: str


class PositionSource(StrEnum):
    LAST_FIX = "last_fix"  # the unit's newest GPS fix
    STATION = "station"  # no fix: the unit is taken to be at its station


class Exclusion(StrEnum):
    BUSY = "busy"
    OUT_OF_SERVICE = "out_of_service"
    WRONG_TYPE = "wrong_type"
    NO_POSITION = "no_position"
    UNREACHABLE = "unreachable"
    FARTHER = "farther"  # past the search radius: not measured, surely slower than the rest


@dataclass(frozen=True)
class Located:
    point: GeoPoint | None
    source: PositionSource | None


def locate(unit: Unit, station_point: GeoPoint | None) -> Located:
    """Where a unit is: its last fix, else its station, else unknown."""
    if unit.last_lat is not None and unit.last_lon is not None:
        return Located(GeoPoint(unit.last_lat, unit.last_lon), PositionSource.LAST_FIX)
    if station_point is not None:
        return Located(station_point, PositionSource.STATION)
    return Located(None, None)


class Candidate(NamedTuple):
    unit_code: str
    name: str
    agency_code: str
    unit_type: str
    status: UnitStatus
    position_source: PositionSource
    lat: float
    lon: float
    eta_seconds: float | None  # None: the incident has no location yet
    meters: float | None
    method: str | None


class Excluded(NamedTuple):
    unit_code: str
    name: str
    reason: Exclusion
    detail: str


@dataclass(frozen=True)
class RequirementChoice:
    requirement: UnitRequirement
    candidates: tuple[Candidate, ...]  # fastest first
    suggested: tuple[str, ...]  # the first `count` candidates not chosen for another requirement
    excluded: tuple[Excluded, ...]

    @property
    def missing(self) -> int:
        return self.requirement.count - len(self.suggested)


# (origins, destination, within_s=...) -> an estimate per origin; see TravelTimeProvider.
Estimator = Callable[..., Sequence[TravelEstimate | None]]
MAX_RADIUS_S = 4 * 3600.0  # past this, a search radius is dropped: the search goes all the way


def exclusion(unit: Unit, requirement: UnitRequirement) -> Excluded | None:
    """Why this unit of the requirement's agency cannot answer it now (None: it can)."""
    if unit.unit_type != requirement.unit_type:
        return Excluded(unit.code, unit.name, Exclusion.WRONG_TYPE,
                        f"is a {unit.unit_type}; the plan asks for a {requirement.unit_type}")
    if unit.status is UnitStatus.OUT_OF_SERVICE:
        return Excluded(unit.code, unit.name, Exclusion.OUT_OF_SERVICE, "out of service")
    if unit.status in ASSIGNED_STATUSES:
        return Excluded(unit.code, unit.name, Exclusion.BUSY,
                        f"{unit.status.value} for incident {unit.incident_id}")
    return None


def recommend(requirements: Sequence[UnitRequirement], units: Iterable[Unit],
              located: Mapping[str, Located], incident_point: GeoPoint | None,
              estimate: Estimator, *,
              search_radius_s: float | None = None) -> list[RequirementChoice]:
    """Rank each requirement's eligible units by estimated travel time to the incident.

    With a search radius, a router may leave units past it unmeasured (`seconds = inf`:
    excluded as `farther`). When a requirement then has fewer candidates than it needs,
    the radius grows fourfold and the router is asked again, up to no radius at all, so
    the suggestion is always the true nearest units."""
    by_agency: dict[str, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: u.code):
        by_agency.setdefault(unit.agency_code, []).append(unit)
    eligible: dict[int, list[Unit]] = {}
    excluded: dict[int, list[Excluded]] = {}
    for i, req in enumerate(requirements):
        eligible[i], excluded[i] = [], []
        for unit in by_agency.get(req.agency_code, []):
            why = exclusion(unit, req)
            if why is None and located[unit.code].point is None:
                why = Excluded(unit.code, unit.name, Exclusion.NO_POSITION,
                               "no position fix and no station")
            if why is None:
                eligible[i].append(unit)
            else:
                excluded[i].append(why)
    radius = search_radius_s
    while True:
        estimates = _estimate_once(eligible, located, incident_point, estimate, radius)
        if radius is None or not _too_few(requirements, eligible, estimates):
            break
        radius = radius * 4 if radius * 4 < MAX_RADIUS_S else None
    choices, chosen = [], set()
    farther = f"more than {(radius or 0) / 60:.0f} min away: not measured"
    for i, req in enumerate(requirements):
        ranked: list[Candidate] = []
        for unit in eligible[i]:
            where = located[unit.code]
            point = where.point
            assert point is not None and where.source is not None
            est = estimates.get(unit.code) if incident_point is not None else None
            if est is None:
                if incident_point is not None:
                    excluded[i].append(Excluded(unit.code, unit.name, Exclusion.UNREACHABLE,
                                                "no road from its position to the incident"))
                    continue
                eta = meters = method = None
            elif est.seconds == math.inf:
                excluded[i].append(Excluded(unit.code, unit.name, Exclusion.FARTHER, farther))
                continue
            else:
                eta, meters, method = est
            # Positional: a recommendation builds one per unit, up to 1,000 (bench/recommend).
            ranked.append(Candidate(unit.code, unit.name, unit.agency_code, unit.unit_type,
                                    unit.status, where.source, point.lat, point.lon, eta,
                                    meters, method))
        ranked.sort(key=_rank)
        suggested = []
        for cand in ranked:
            if len(suggested) == req.count:
                break
            if cand.unit_code in chosen:
                continue
            suggested.append(cand.unit_code)
            chosen.add(cand.unit_code)
        choices.append(RequirementChoice(req, tuple(ranked), tuple(suggested),
                                         tuple(excluded[i])))
    return choices


def _rank(c: Candidate) -> tuple[float, str]:
    return (c.eta_seconds if c.eta_seconds is not None else 0.0, c.unit_code)


def _too_few(requirements: Sequence[UnitRequirement], eligible: Mapping[int, list[Unit]],
             estimates: Mapping[str, TravelEstimate | None]) -> bool:
    """Does a requirement lack measured units while some of its units were left farther?"""
    for i, req in enumerate(requirements):
        found = [estimates.get(u.code) for u in eligible[i]]
        measured = sum(e is not None and e.seconds != math.inf for e in found)
        farther = any(e is not None and e.seconds == math.inf for e in found)
        if measured < req.count and farther:
            return True
    return False


def _estimate_once(eligible: Mapping[int, list[Unit]], located: Mapping[str, Located],
                   incident_point: GeoPoint | None, estimate: Estimator,
                   radius: float | None) -> dict[str, TravelEstimate | None]:
    """One call to the router for every eligible unit of every requirement."""
    if incident_point is None:
        return {}
    codes = sorted({u.code for units in eligible.values() for u in units})
    if not codes:
        return {}
    points = [located[code].point for code in codes]
    results = estimate(points, incident_point, within_s=radius)
    return dict(zip(codes, results, strict=True))


# --- assignments ---------------------------------------------------------------------------

class Step(StrEnum):
    """The steps of a unit's assignment, in the order they normally come."""

    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    TRANSPORTING = "transporting"
    RETURNING = "returning"
    CLEARED = "cleared"


STEP_FOR_STATUS = {
    UnitStatus.EN_ROUTE: Step.EN_ROUTE, UnitStatus.ON_SCENE: Step.ON_SCENE,
    UnitStatus.TRANSPORTING: Step.TRANSPORTING, UnitStatus.RETURNING: Step.RETURNING,
    UnitStatus.AVAILABLE: Step.CLEARED,
}
# Statuses that end a unit's service to the incident (it is free for another one).
ENDING_STATUSES = frozenset({UnitStatus.RETURNING, UnitStatus.AVAILABLE,
                             UnitStatus.OUT_OF_SERVICE})


@dataclass(eq=False, kw_only=True)
class Assignment:
    id: uuid.UUID
    dispatch_id: uuid.UUID  # the dispatcher's one decision that sent this unit (and maybe others)
    incident_id: uuid.UUID
    unit_code: str
    agency_code: str
    dispatched_at: datetime
    dispatched_by: str
    eta_seconds: float | None = None  # estimated at dispatch
    distance_m: float | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    transporting_at: datetime | None = None
    returning_at: datetime | None = None
    cleared_at: datetime | None = None
    ended_at: datetime | None = None  # the unit no longer serves this incident
    end_status: str | None = None

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def acknowledge(self, *, by: str, at: datetime) -> bool:
        """The agency has seen it; True the first time, False when already acknowledged."""
        check_aware(at)
        if not self.active:
            raise Conflict(f"the dispatch of unit {self.unit_code} has ended")
        if self.acknowledged_at is not None:
            return False
        self.acknowledged_at, self.acknowledged_by = at, by
        return True

    def record(self, status: UnitStatus, *, at: datetime) -> None:
        """Keep the time the unit reported a status (the first time it did, for each step)."""
        check_aware(at)
        step = STEP_FOR_STATUS.get(status)
        if step is not None and getattr(self, f"{step.value}_at") is None:
            setattr(self, f"{step.value}_at", at)
        if status in ENDING_STATUSES and self.active:
            self.ended_at, self.end_status = at, status.value

    def timeline(self) -> list[tuple[Step, datetime]]:
        steps = [(s, getattr(self, f"{s.value}_at")) for s in Step]
        return [(s, at) for s, at in steps if at is not None]

    def intervals(self) -> dict[str, float | None]:
        """Seconds between steps: what response-time reports are made of."""
        def between(a: datetime | None, b: datetime | None) -> float | None:
            return None if a is None or b is None else (b - a).total_seconds()

        end = self.returning_at or self.cleared_at
        return {
            "to_acknowledge": between(self.dispatched_at, self.acknowledged_at),
            "turnout": between(self.dispatched_at, self.en_route_at),
            "travel": between(self.en_route_at, self.on_scene_at),
            "response": between(self.dispatched_at, self.on_scene_at),
            "on_scene": between(self.on_scene_at, self.transporting_at or end),
            "total": between(self.dispatched_at, self.cleared_at or end),
        }

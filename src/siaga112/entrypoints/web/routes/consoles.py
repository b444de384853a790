"""What the consoles read and report beyond the other routes: the dispatcher board, the
supervisor's wallboard, and a unit's position from its crew (docs/consoles.md)."""

from __future__ import annotations

from fastapi import APIRouter

from siaga112.domain.errors import NotFound
from siaga112.entrypoints.web import console_agency, console_dispatch, console_wallboard
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Principal, SiagaDep
from siaga112.entrypoints.web.errors import ApiError
from siaga112.entrypoints.web.schemas import UnitPublic
from siaga112.entrypoints.web.schemas_consoles import DispatchBoard, UnitPositionReport, Wallboard
from siaga112.entrypoints.web.visibility import agency_of
from siaga112.reports.dispatch_board import dispatch_board
from siaga112.reports.wallboard import wallboard
from siaga112.services import commands as c

dispatch_router = APIRouter(prefix=f"{API}/dispatch", tags=["dispatch"],
                            dependencies=[Authorized])
wallboard_router = APIRouter(prefix=API, tags=["consoles"], dependencies=[Authorized])


@dispatch_router.get("/board")
def board(_: Principal, siaga: SiagaDep) -> DispatchBoard:
    """The active incidents, most urgent then oldest first, each with its answer-to-dispatch
    timer and target and the units serving it; and the webhook deliveries that failed."""
    now = siaga.clock.now()
    return DispatchBoard(now=now.isoformat(),
                         **dispatch_board(engine=siaga.engine, thresholds=siaga.center.thresholds))


@dispatch_router.post("/units/{unit_code}/position")
def unit_position(unit_code: str, body: UnitPositionReport, who: Principal,
                  siaga: SiagaDep) -> UnitPublic:
    """A fix of the unit's position (the crew's phone): dated by the server; an agency
    reports only for its own units."""
    agency = agency_of(who)
    with siaga.uow() as uow:
        unit = uow.units.get(unit_code)
    if unit is None:
        raise NotFound(f"no unit {unit_code}")
    if agency is not None and unit.agency_code != agency:
        raise ApiError(403, "forbidden", f"unit {unit_code} belongs to another agency")
    done = siaga.bus.handle(c.ReportUnitPosition(unit_code=unit_code, lat=body.lat, lon=body.lon,
                                                 accuracy_m=body.accuracy_m, by=who.username))
    return UnitPublic.model_validate(done)


@wallboard_router.get("/wallboard")
def wallboard_figures(_: Principal, siaga: SiagaDep) -> Wallboard:
    """The queue now, positions by state, today's service (the center's day) and open
    incidents by type."""
    return Wallboard(**wallboard(engine=siaga.engine, center=siaga.center,
                                 now=siaga.clock.now()))


# What app.py includes: the APIs above and the three consoles' pages.
router = APIRouter()
for _part in (dispatch_router, wallboard_router, console_dispatch.router, console_agency.router,
              console_wallboard.router):
    router.include_router(_part)

"""Staffing planner: call-takers needed per interval, from the center's own history.

`GET /api/v1/staffing` for any client; the supervisor's page is in staffing_page.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from siaga112.entrypoints.web import staffing_page
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Principal, SiagaDep
from siaga112.entrypoints.web.errors import ApiError

api = APIRouter(prefix=f"{API}/staffing", tags=["staffing"], dependencies=[Authorized])


def staffing_plan(siaga: Any, *, first_day: date, last_day: date, target_sl: float,
                  target_seconds: float, interval_minutes: int = 60, min_call_takers: int = 1,
                  simulate_weeks: int = 0) -> Any:
    """The plan, or an ApiError (422) that says what is wrong with the request or the period."""
    from siaga112.planning.plan import PlanOptions
    from siaga112.planning.requirement import Target
    from siaga112.planning.staffing import HistoryUnreadable, NoHistory, plan_period

    options = PlanOptions(target=Target(level=target_sl, seconds=target_seconds,
                                        min_agents=min_call_takers),
                          simulated_weeks=simulate_weeks)
    try:
        return plan_period(engine=siaga.engine, center=siaga.center, first_day=first_day,
                           last_day=last_day, options=options, interval_minutes=interval_minutes)
    except NoHistory as exc:
        raise ApiError(422, "no_history", str(exc)) from None
    except HistoryUnreadable as exc:
        raise ApiError(503, "history_unreadable", str(exc)) from None
    except ValueError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None


@api.get("")
def staffing(
    _: Principal, siaga: SiagaDep,
    first_day: Annotated[date, Query(alias="from", description="first day (center's zone)")],
    last_day: Annotated[date, Query(alias="to", description="last day, inclusive")],
    target_sl: Annotated[float, Query(gt=0, lt=1)] = 0.9,
    target_seconds: Annotated[float, Query(ge=0, le=3600)] = 15,
    interval_minutes: Annotated[int, Query(ge=30, le=60, multiple_of=30)] = 60,
    min_call_takers: Annotated[int, Query(ge=0, le=100)] = 1,
    simulate_weeks: Annotated[int, Query(ge=0, le=8)] = 0,
) -> dict[str, Any]:
    """Required call-takers per interval (Erlang A), a roster of 8-hour shifts, what-ifs."""
    plan = staffing_plan(siaga, first_day=first_day, last_day=last_day, target_sl=target_sl,
                         target_seconds=target_seconds, interval_minutes=interval_minutes,
                         min_call_takers=min_call_takers, simulate_weeks=simulate_weeks)
    return plan.to_dict()  # type: ignore[no-any-return]


# What app.py includes: the API above and the supervisor's page (staffing_page.py).
router = APIRouter()
router.include_router(api)
router.include_router(staffing_page.router)

"""The supervisor's staffing page: required vs scheduled call-takers per hour, as a drawn chart.

The chart is inline SVG built here (no chart library, nothing from a CDN); its words come
from the catalogues through the template. Numbers are formatted for the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.entrypoints.web import i18n
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, render
from siaga112.planning.plan import PlanOptions, StaffingPlan
from siaga112.planning.requirement import Target
from siaga112.planning.staffing import HistoryUnreadable, NoHistory, plan_period

PATH = "/supervisor/staffing"
DEFAULT_DAYS = 28
HOUR_WIDTH, ROW_HEIGHT, LEFT, TOP, BOTTOM = 5, 22, 34, 10, 26

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, kw_only=True)
class Chart:
    width: int
    height: int
    bars: list[dict[str, int]]  # required call-takers, one bar an hour
    scheduled_path: str  # the rostered call-takers, a step line
    grid: list[dict[str, int]]  # y lines with their value
    days: list[dict[str, int]]  # x position of each day's start (index 0-6)


def chart(plan: StaffingPlan) -> Chart:
    hourly = plan.hourly()
    top = max(max(r["required"], r["scheduled"]) for r in hourly) + 1
    height = TOP + top * ROW_HEIGHT + BOTTOM
    base = TOP + top * ROW_HEIGHT

    def y(value: int) -> int:
        return base - value * ROW_HEIGHT

    bars = [{"x": LEFT + i * HOUR_WIDTH, "y": y(r["required"]),
             "height": r["required"] * ROW_HEIGHT} for i, r in enumerate(hourly)]
    steps = []
    for i, r in enumerate(hourly):
        level = y(r["scheduled"])
        steps.append(f"{'M' if i == 0 else 'L'}{LEFT + i * HOUR_WIDTH},{level}"
                     f"H{LEFT + (i + 1) * HOUR_WIDTH}")
    step = 1 if top <= 12 else (top + 11) // 12
    return Chart(width=LEFT + 168 * HOUR_WIDTH + 8, height=height, bars=bars,
                 scheduled_path="".join(steps),
                 grid=[{"y": y(v), "value": v} for v in range(0, top + 1, step)],
                 days=[{"index": d, "x": LEFT + d * 24 * HOUR_WIDTH} for d in range(7)])


def _figures(plan: StaffingPlan, locale: str) -> dict[str, Any]:
    """The plan's numbers as the page shows them, in the page's language."""
    d = plan.to_dict()

    def pct(value: float) -> str:
        return format_percent(value, "#,##0.0%", locale=locale)

    def num(value: float | None, digits: int = 1) -> str:
        return "–" if value is None else format_decimal(
            value, f"#,##0.{'0' * digits}" if digits else "#,##0", locale=locale)

    h = d["history"]
    scenarios = [{"code": s["code"], "calls": num(s["calls_per_week"], 0),
                  "workload": num(s["workload_hours"]),
                  "required": num(s["required_hours"], 0), "staff": num(s["staff_hours"], 0),
                  "service_level": pct(s["with_roster"]["service_level"]),
                  "abandoned": pct(s["with_roster"]["abandon_probability"])}
                 for s in d["scenarios"]]
    starts: dict[str, list[str]] = {}
    for s in d["roster"]["shift_starts"]:
        starts.setdefault(s["weekday"], []).append(f"{s['start']} × {s['call_takers']}")
    return {
        "offered": num(h["offered"], 0), "answered": num(h["answered"], 0),
        "abandoned": num(h["abandoned"], 0), "invalid": num(h["invalid"], 0),
        "invalid_share": pct(h["invalid_share"]),
        "handle": num(h["handle_seconds"]), "talk": num(h["talk_seconds"]),
        "wrap_up": num(h["wrap_up_seconds"]), "wrap_up_measured": h["wrap_up_measured"],
        "patience_mean": num(h["patience"]["mean_seconds"]),
        "patience_median": num(h["patience"]["median_seconds"]),
        "required_hours": num(d["required_week"]["agent_hours"], 0),
        "staff_hours": num(d["roster"]["staff_hours"], 0), "shifts": d["roster"]["shifts"],
        "service_level": pct(d["scheduled_week"]["service_level"]),
        "abandon": pct(d["scheduled_week"]["abandon_probability"]),
        "scenarios": scenarios, "starts": starts,
    }


@router.get(PATH)
def staffing_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    params = request.query_params
    today = siaga.clock.now().astimezone(siaga.center.zone).date()
    form = {"from": params.get("from") or (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
            "to": params.get("to") or (today - timedelta(days=1)).isoformat(),
            "target_sl": params.get("target_sl") or "0.9",
            "target_seconds": params.get("target_seconds") or "15"}
    context: dict[str, Any] = {"user": user, "form": form, "plan": None, "problem": None,
                               "page": {}}

    def page(status: int = 200) -> HTMLResponse:
        return render(request, "staffing.html", status=status, scripts=("common.js",), **context)

    try:
        first_day, last_day = date.fromisoformat(form["from"]), date.fromisoformat(form["to"])
        target = Target(level=float(form["target_sl"]), seconds=float(form["target_seconds"]))
        plan = plan_period(engine=siaga.engine, center=siaga.center, first_day=first_day,
                           last_day=last_day, options=PlanOptions(target=target))
    except (NoHistory, HistoryUnreadable):
        context["problem"] = "no_history"
        return page()
    except ValueError:  # a bad date or target, a period backwards or too long
        context["problem"] = "bad_input"
        return page(422)
    locale = i18n.choose_locale(request.cookies.get(i18n.LANG_COOKIE),
                                siaga.center.center.languages)
    context.update(plan=True, chart=chart(plan), figures=_figures(plan, locale),
                   days=plan.history.period.days)
    return page()

"""The supervisor's report page and the public transparency page.

Both are drawn on the server: figures formatted for the page's language, times in the
center's zone, charts as PNG images made by matplotlib (embedded as data: URIs, so no
extra request and nothing from a CDN). The public page shows only the public summary
(transparency.py): no number, no name, no single call.
"""

from __future__ import annotations

import base64
from typing import Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from siaga112.domain.errors import InvalidValue
from siaga112.entrypoints.web import i18n
from siaga112.entrypoints.web.deps import SiagaDep
from siaga112.entrypoints.web.pages import Viewer, render
from siaga112.entrypoints.web.report_words import words
from siaga112.reports import charts, transparency
from siaga112.reports.exports import center_names
from siaga112.reports.period import Period
from siaga112.reports.report import report_and_points

REPORTS_PATH, PUBLIC_PATH = "/supervisor/reports", "/public"

router = APIRouter(include_in_schema=False)


def _image(figure: Any) -> str:
    return "data:image/png;base64," + base64.b64encode(charts.png(figure)).decode()


def _locale(request: Request, siaga: SiagaDep) -> str:
    return i18n.choose_locale(request.cookies.get(i18n.LANG_COOKIE),
                              siaga.center.center.languages)


def _period(request: Request, siaga: SiagaDep) -> tuple[dict[str, str], Period | None]:
    """The form's values and the period they make, or None when they make none."""
    default = transparency.default_period(siaga.center, siaga.clock.now())
    form = {"from": request.query_params.get("from") or default.first_day.isoformat(),
            "to": request.query_params.get("to") or default.last_day.isoformat()}
    try:
        return form, Period.parse(form["from"], form["to"], siaga.center.zone)
    except InvalidValue:
        return form, None


class Formats:
    """Numbers as the page's language writes them (1.234,5 in Indonesian)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def num(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        pattern = f"#,##0.{'0' * digits}" if digits else "#,##0"
        return format_decimal(value, pattern, locale=self.locale)

    def pct(self, value: float | None) -> str:
        return "–" if value is None else format_percent(value, "#,##0.0%", locale=self.locale)


@router.get(REPORTS_PATH)
def reports_page(request: Request, user: Viewer, siaga: SiagaDep) -> HTMLResponse:
    locale = _locale(request, siaga)
    form, period = _period(request, siaga)
    context: dict[str, Any] = {"user": user, "form": form, "report": None, "page": {},
                               "f": Formats(locale)}
    if period is None:
        return render(request, "reports.html", status=422, scripts=("common.js",),
                      problem="bad_input", **context)
    w = words(locale)
    names = center_names(siaga.center, locale)
    report, points = report_and_points(engine=siaga.engine, center=siaga.center,
                                       period=period, generated_at=siaga.clock.now())
    places = [(k.lat, k.lon) for k in siaga.center.gazetteer.kelurahan]
    context.update(
        report=report, names=names, problem=None, query=f"from={period.first_day}&to="
                                                         f"{period.last_day}",
        charts={
            "calls": _image(charts.calls_per_day(report, w)),
            "service": _image(charts.service_by_hour(report, w)),
            "nuisance": _image(charts.nuisance_share(report, w)),
            "types": _image(charts.incidents_by_type(report, w, names["type"])),
            "map": _image(charts.incident_map(points, places, w, names["type"])),
            "intervals": _image(charts.intervals(report, w)),
        })
    return render(request, "reports.html", scripts=("common.js",), **context)


@router.get(PUBLIC_PATH)
def public_page(request: Request, _: Viewer, siaga: SiagaDep) -> HTMLResponse:
    locale = _locale(request, siaga)
    form, period = _period(request, siaga)
    context: dict[str, Any] = {"form": form, "summary": None, "f": Formats(locale)}
    if period is None:
        return render(request, "public.html", status=422, problem="bad_input", **context)
    summary = transparency.public_summary(engine=siaga.engine, center=siaga.center,
                                         period=period, locale=locale)
    w = words(locale)
    context.update(summary=summary, problem=None, query=f"from={period.first_day}&to="
                                                        f"{period.last_day}",
                   chart=_image(charts.answered_per_day(summary["days"], w)),
                   months=sorted({r["month"] for r in summary["emergencies_by_type_per_month"]}),
                   by_type=_by_type(summary))
    return render(request, "public.html", **context)


def _by_type(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of (type name, {month: count}) for the public table."""
    rows: dict[str, dict[str, Any]] = {}
    for r in summary["emergencies_by_type_per_month"]:
        rows.setdefault(r["type"], {"name": r["name"], "months": {}})["months"][r["month"]] = \
            r["count"]
    return sorted(rows.values(), key=lambda row: row["name"])


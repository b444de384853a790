"""Reports: the evaluation of a period and its exports (supervisor, admin), and the public
transparency summary (no login, no personal data).

Days are the center's days (its zone), both ends inclusive; without `from` and `to` a
report covers the last 30 whole days. The pages are in report_pages.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from siaga112.entrypoints.web import report_pages
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Principal, SiagaDep
from siaga112.entrypoints.web.report_words import words
from siaga112.reports import documents, transparency
from siaga112.reports.breakdowns import geojson
from siaga112.reports.period import Period
from siaga112.reports.report import map_points

api = APIRouter(prefix=f"{API}/reports", tags=["reports"], dependencies=[Authorized])
public_api = APIRouter(prefix=f"{API}/public", tags=["public"], dependencies=[Authorized])

From = Annotated[date | None, Query(alias="from", description="first day (center's zone)")]
To = Annotated[date | None, Query(alias="to", description="last day, inclusive")]
Lang = Annotated[Literal["id", "en"], Query(description="language of the words")]


def _files(*formats: str) -> dict[int | str, dict[str, Any]]:
    """The documented 200 answer of a route that sends one of several file types."""
    return {200: {"description": "the report in the asked format",
                  "content": {documents.MEDIA[f].split(";")[0]: {} for f in formats}}}


def period_of(siaga: SiagaDep, first: date | None, last: date | None) -> Period:
    """The asked period, or the last 30 whole days; InvalidValue (422) when it makes no sense."""
    if first is None and last is None:
        return transparency.default_period(siaga.center, siaga.clock.now())
    default = transparency.default_period(siaga.center, siaga.clock.now())
    return Period(first or default.first_day, last or default.last_day, siaga.center.zone)


def _send(doc: documents.Document, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(doc.content, media_type=doc.media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{doc.filename}"'})


@api.get("/evaluation", response_model=None, responses=_files("json", "csv", "xlsx", "pdf"))
def evaluation(_: Principal, siaga: SiagaDep, first: From = None, last: To = None,
               format: Literal["json", "csv", "xlsx", "pdf"] = "json",
               lang: Lang = "id") -> Response:
    """The evaluation report; its top-level keys are a stable contract (docs/reports.md)."""
    doc = documents.evaluation_document(
        engine=siaga.engine, center=siaga.center, period=period_of(siaga, first, last),
        fmt=format, words=words(lang), locale=lang, generated_at=siaga.clock.now())
    return _send(doc, inline=format == "json")


@api.get("/monthly", response_model=None, responses=_files("json", "csv", "xlsx"))
def monthly(_: Principal, siaga: SiagaDep, first: From = None, last: To = None,
            format: Literal["json", "csv", "xlsx"] = "json", lang: Lang = "id") -> Response:
    """Calls by kind; emergencies by category, agency (OPD) and kecamatan, per month."""
    doc = documents.monthly_document(engine=siaga.engine, center=siaga.center,
                                     period=period_of(siaga, first, last), fmt=format,
                                     words=words(lang), locale=lang)
    return _send(doc, inline=format == "json")


@api.get("/incidents", response_model=None, responses=_files("json", "csv", "xlsx"))
def incidents(_: Principal, siaga: SiagaDep, first: From = None, last: To = None,
              format: Literal["json", "csv", "xlsx"] = "csv") -> Response:
    """Verified emergencies in the column layout of Surabaya's 112 export."""
    doc = documents.incidents_document(engine=siaga.engine, center=siaga.center,
                                       period=period_of(siaga, first, last), fmt=format)
    return _send(doc, inline=format == "json")


@api.get("/map")
def incident_map(_: Principal, siaga: SiagaDep, first: From = None,
                 last: To = None) -> dict[str, Any]:
    """Verified emergencies with a location, as GeoJSON points (no caller data)."""
    return geojson(map_points(engine=siaga.engine, period=period_of(siaga, first, last)))


def _summary(siaga: SiagaDep, first: date | None, last: date | None,
             lang: str) -> dict[str, Any]:
    return transparency.public_summary(engine=siaga.engine, center=siaga.center,
                                       period=period_of(siaga, first, last), locale=lang)


@public_api.get("/summary")
def public_summary(siaga: SiagaDep, first: From = None, last: To = None,
                   lang: Lang = "id") -> dict[str, Any]:
    """Calls per day, share answered, answer time, prank share, emergencies by type a month."""
    return _summary(siaga, first, last, lang)


@public_api.get("/summary.json", response_model=None, responses=_files("json"))
def public_summary_json(siaga: SiagaDep, first: From = None, last: To = None,
                        lang: Lang = "id") -> Response:
    """The same, as a file to download (open data)."""
    import json

    summary = _summary(siaga, first, last, lang)
    name = f"siaga112-{siaga.center.center.code}-{summary['period']['from']}-" \
           f"{summary['period']['to']}.json"
    return _send(documents.Document(json.dumps(summary, ensure_ascii=False, indent=2).encode(),
                                    documents.MEDIA["json"], name))


@public_api.get("/summary.csv", response_model=None, responses=_files("csv"))
def public_summary_csv(siaga: SiagaDep, first: From = None, last: To = None,
                       table: Literal["days", "emergencies"] = "days",
                       lang: Lang = "id") -> Response:
    """One table as CSV: `days` (one row a day) or `emergencies` (by type and month)."""
    summary = _summary(siaga, first, last, lang)
    name = f"siaga112-{siaga.center.center.code}-{table}-{summary['period']['from']}-" \
           f"{summary['period']['to']}.csv"
    return _send(documents.Document(transparency.summary_csv(summary, table).encode(),
                                    documents.MEDIA["csv"], name))


# What app.py includes: both APIs and the two pages.
router = APIRouter()
router.include_router(api)
router.include_router(public_api)
router.include_router(report_pages.router)

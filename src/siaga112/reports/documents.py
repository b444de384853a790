"""The report, the monthly report and the incident list as downloadable documents.

What the CLI writes to a file and the API sends: one function per document, one
`Document` (bytes, media type, file name) whatever the format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from siaga112.adapters.db.reading import snapshot
from siaga112.config import CenterConfig
from siaga112.domain.errors import InvalidValue
from siaga112.reports import exports, surabaya
from siaga112.reports.period import Period
from siaga112.reports.report import build_report, report_and_points

MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
REPORT_FORMATS = ("json", "csv", "xlsx", "pdf")
TABLE_FORMATS = ("json", "csv", "xlsx")


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


def _check(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise InvalidValue(f"format '{fmt}' is not one of {', '.join(allowed)}")


def _name(kind: str, center: CenterConfig, period: Period, fmt: str) -> str:
    return f"siaga112-{center.center.code}-{kind}-{period.first_day}-{period.last_day}.{fmt}"


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def places(center: CenterConfig) -> list[tuple[float, float]]:
    return [(k.lat, k.lon) for k in center.gazetteer.kelurahan]


def evaluation_document(*, engine: Engine, center: CenterConfig, period: Period, fmt: str,
                        words: Mapping[str, str], locale: str,
                        generated_at: datetime | None = None) -> Document:
    _check(fmt, REPORT_FORMATS)
    if fmt == "pdf":
        report, points = report_and_points(engine=engine, center=center, period=period,
                                           generated_at=generated_at)
    else:
        report, points = build_report(engine=engine, center=center, period=period,
                                      generated_at=generated_at), []
    return render_report(report, fmt=fmt, center=center, period=period, words=words,
                         locale=locale, points=points)


def render_report(report: Mapping[str, Any], *, fmt: str, center: CenterConfig, period: Period,
                  words: Mapping[str, str], locale: str,
                  points: list[dict[str, Any]] | None = None) -> Document:
    _check(fmt, REPORT_FORMATS)
    name = _name("evaluasi", center, period, fmt)
    names = exports.center_names(center, locale)
    if fmt == "json":
        content = _json(report)
    elif fmt == "csv":
        content = exports.report_csv(report).encode()
    elif fmt == "xlsx":
        content = exports.workbook_bytes(exports.report_sheets(report, words, names))
    else:
        from siaga112.reports.pdf import report_pdf  # ReportLab only when asked for

        content = report_pdf(report, words=words, names=names, points=points or [],
                             places=places(center))
    return Document(content, MEDIA[fmt], name)


def monthly_document(*, engine: Engine, center: CenterConfig, period: Period, fmt: str,
                     words: Mapping[str, str], locale: str) -> Document:
    _check(fmt, TABLE_FORMATS)
    report = build_report(engine=engine, center=center, period=period)
    months = report["monthly"]
    name = _name("bulanan", center, period, fmt)
    if fmt == "json":
        return Document(_json({"center": report["center"], "period": report["period"],
                               "months": months}), MEDIA[fmt], name)
    sheets = exports.monthly_sheets(months, words, exports.center_names(center, locale))
    if fmt == "xlsx":
        return Document(exports.workbook_bytes(sheets), MEDIA[fmt], name)
    rows = [[m["month"], kind, n] for m in months for kind, n in m["kinds"].items()]
    rows += [[m["month"], f"{group}:{key}", n] for m in months
             for group in ("emergencies_by_type", "emergencies_by_agency",
                           "emergencies_by_kecamatan")
             for key, n in m[group].items()]
    return Document(exports.table_csv(["month", "kind", "count"], rows).encode(),
                    MEDIA[fmt], name)


def incidents_document(*, engine: Engine, center: CenterConfig, period: Period,
                       fmt: str) -> Document:
    """Verified emergencies in Surabaya's column layout."""
    _check(fmt, TABLE_FORMATS)
    with snapshot(engine) as conn:
        rows = list(surabaya.incident_rows(conn, period=period, center=center))
    name = _name("insiden", center, period, fmt)
    if fmt == "json":
        return Document(_json([dict(zip(surabaya.COLUMNS, r, strict=True)) for r in rows]),
                        MEDIA[fmt], name)
    if fmt == "xlsx":
        return Document(exports.workbook_bytes([("Insiden", surabaya.COLUMNS, rows)]),
                        MEDIA[fmt], name)
    return Document(exports.table_csv(surabaya.COLUMNS, rows).encode(), MEDIA[fmt], name)

"""The report as files: CSV (every figure, one `key,value` line each), XLSX (one sheet per
section, headed in the reader's language), and the incident list in Surabaya's layout.

The PDF is in pdf.py. Every export is built from the report structure (report.py), so
a figure reads the same in JSON, CSV, XLSX and PDF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from siaga112.config import CenterConfig

Words = Mapping[str, str]
Names = Mapping[str, Mapping[str, str]]
Sheet = tuple[str, list[str], list[list[Any]]]  # title, header, rows
ROW_KEYS = ("hour", "weekday", "date", "month", "number")  # what names a row of a list


def center_names(center: CenterConfig, locale: str) -> dict[str, dict[str, str]]:
    """Codes to the names people read: agencies, incident types and subtypes, places."""
    return {
        "agency": {a.code: a.name for a in center.agencies},
        "type": {t.code: t.name.get(locale) for t in center.incident_types},
        "subtype": {f"{t.code}/{s.code}": s.name.get(locale)
                    for t in center.incident_types for s in t.subtypes},
        "kecamatan": {k.code: k.name for k in center.gazetteer.kecamatan},
        "kelurahan": {k.code: k.name for k in center.gazetteer.kelurahan},
    }


# --- CSV -------------------------------------------------------------------------------
def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) for every leaf; a list's rows are named by their ROW_KEYS field."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            name = next((str(item[k]) for k in ROW_KEYS
                         if isinstance(item, Mapping) and k in item), str(index))
            rest = ({k: v for k, v in item.items() if k not in ROW_KEYS}
                    if isinstance(item, Mapping) else item)
            yield from flatten(rest, f"{prefix}.{name}")
    else:
        yield prefix, value


def report_csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "value"])
    for key, value in flatten(report):
        writer.writerow([key, "" if value is None else value])
    return out.getvalue()


def table_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


# --- XLSX ------------------------------------------------------------------------------
def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31]
    sheet = book.create_sheet(clean)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        _sheet(book, title, header, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_sheets(report: Mapping[str, Any], w: Words,
                  names: Names) -> list[Sheet]:
    """The report as tables: (title, header, rows), in the reader's language."""
    agency, types = names["agency"], names["type"]
    summary = [[w[k], report[k]] for k in (
        "total_calls", "abandoned_in_queue", "abandoned_by_fault", "answered", "valid",
        "invalid", "non_emergency", "emergencies_verified", "screened_out", "still_waiting")]
    summary += [[f"{w['by_agency']}: {agency.get(code, code)}", n]
                for code, n in report["by_agency"].items()]
    overall = report["service"]["overall"]
    summary += [[w["answered_within_n"].format(seconds=t), overall["answered_within"][t]]
                for t in overall["answered_within"]]
    summary += [[w["abandonment_rate"], overall["abandonment_rate"]],
                [w["mean_answer"], overall["mean_answer_seconds"]],
                [w["p90_answer"], overall["p90_answer_seconds"]]]
    thresholds = [str(t) for t in report["service"]["thresholds_seconds"]]
    service_header = [w["offered"], w["answered"], w["abandoned_in_queue"],
                      w["abandonment_rate"],
                      *[w["answered_within_n"].format(seconds=t) for t in thresholds],
                      w["mean_answer"], w["p50_answer"], w["p90_answer"]]

    def service_row(row: Mapping[str, Any]) -> list[Any]:
        return [row["offered"], row["answered"], row["abandoned_in_queue"],
                row["abandonment_rate"], *[row["answered_within"][t] for t in thresholds],
                row["mean_answer_seconds"], row["p50_answer_seconds"], row["p90_answer_seconds"]]

    intervals = report["intervals"]
    interval_rows = []
    for dim, label, table in (("all", w["all"], {"": intervals["overall"]}),
                              ("type", w["incident_type"], intervals["by_type"]),
                              ("agency", w["agency"], intervals["by_agency"])):
        for key, steps in table.items():
            name = {"type": types, "agency": agency}.get(dim, {}).get(key, key)
            for step in intervals["steps"]:
                s = steps[step]
                interval_rows.append([label, name, w[f"step_{step}"], s["count"],
                                      s["mean_seconds"], s["p50_seconds"], s["p90_seconds"]])
    daily_keys = ("calls", "answered", "abandoned_in_queue", "screened_out", "valid", "invalid",
                  "prank", "silent", "mean_answer", "emergencies_verified")
    return [
        (w["summary"], [w["summary"], w["count"]], summary),
        (w["daily"], [w["date"], *[w[k] for k in daily_keys]],
         [[d["date"], *[d["mean_answer_seconds" if k == "mean_answer" else k]
                         for k in daily_keys]] for d in report["daily"]]),
        (f"{w['service']} - {w['hour_of_day']}", [w["hour_of_day"], *service_header],
         [[f"{r['hour']:02d}", *service_row(r)] for r in report["service"]["by_hour"]]),
        (f"{w['service']} - {w['weekday']}", [w["weekday"], *service_header],
         [[w[r["weekday"]], *service_row(r)] for r in report["service"]["by_weekday"]]),
        (w["intervals"], ["", "", w["step"], w["count"], w["mean_seconds"], w["p50_seconds"],
                          w["p90_seconds"]], interval_rows),
        *monthly_sheets(report["monthly"], w, names),
        (w["repeat_callers"], [w["number"], w["calls"], w["prank"], w["silent"],
                               w["abandoned_in_queue"]],
         [[r["number"], r["calls"], r["prank"], r["silent"], r["abandoned_in_queue"]]
          for r in report["repeat_callers"]]),
        (w["incidents_by_area"], [w["incident_type"], w["kecamatan"], w["count"]],
         [[types.get(r["type"], r["type"]), names["kecamatan"].get(r["kecamatan"] or "",
                                                                   w["unknown_place"]),
           r["count"]] for r in report["incidents"]["by_type_kecamatan"]]),
    ]


def monthly_sheets(months: list[Mapping[str, Any]], w: Words,
                   names: Names) -> list[Sheet]:
    """The monthly report: calls by kind, emergencies by category, OPD and kecamatan."""
    kinds = list(months[0]["kinds"]) if months else []
    kecamatan = sorted({k for m in months for k in m["emergencies_by_kecamatan"]})
    types = list(months[0]["emergencies_by_type"]) if months else []
    agencies = list(months[0]["emergencies_by_agency"]) if months else []

    def place(code: str) -> str:
        return names["kecamatan"].get(code, code) if code else w["unknown_place"]

    return [
        (w["calls_by_kind"], [w["month"], w["calls"], *[w[f"kind_{k}"] for k in kinds]],
         [[m["month"], m["calls"], *[m["kinds"][k] for k in kinds]] for m in months]),
        (w["emergencies_by_type"], [w["month"], *[names["type"].get(t, t) for t in types]],
         [[m["month"], *[m["emergencies_by_type"][t] for t in types]] for m in months]),
        (w["emergencies_by_agency"],
         [w["month"], *[names["agency"].get(a, a) for a in agencies]],
         [[m["month"], *[m["emergencies_by_agency"][a] for a in agencies]] for m in months]),
        (w["emergencies_by_kecamatan"], [w["month"], *[place(k) for k in kecamatan]],
         [[m["month"], *[m["emergencies_by_kecamatan"].get(k, 0) for k in kecamatan]]
          for m in months]),
    ]

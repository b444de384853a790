"""The report as a PDF (ReportLab): the summary, the charts and the main tables.

Words come in the reader's language (Indonesian first); times in the center's zone.
`compress=False` leaves the page text readable in the file (tests read it back).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import TableStyle

from siaga112.reports import charts
from siaga112.reports.exports import Names, Sheet, report_sheets

Words = Mapping[str, str]
WIDTH = A4[0] - 3 * cm


CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=7, leading=8.5)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if value < 1 else f"{value:,.1f}"
    return str(value)


def _table(header: Sequence[Any], rows: Sequence[Sequence[Any]], small: bool = False) -> Table:
    """A table that fits the page: wide ones get equal columns and wrapped cells."""
    wide = len(header) > 4 or any(len(_cell(v)) > 40 for row in rows for v in row)
    if wide:
        data = [[Paragraph(escape(_cell(v)), HEAD) for v in header],
                *[[Paragraph(escape(_cell(v)), CELL) for v in row] for row in rows]]
        widths: list[float] | None = [WIDTH / len(header)] * len(header)
    else:
        data = [[_cell(v) for v in header], *[[_cell(v) for v in row] for row in rows]]
        widths = None
    table = Table(data, repeatRows=1, hAlign="LEFT", colWidths=widths)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 7 if small else 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _chart(figure: Any, width: float = WIDTH) -> Image:
    data = charts.png(figure, dpi=120)
    image = Image(io.BytesIO(data))
    scale = width / image.imageWidth
    image.drawWidth, image.drawHeight = width, image.imageHeight * scale
    return image


def report_pdf(report: Mapping[str, Any], *, words: Words, names: Names,
               points: Sequence[Mapping[str, Any]], places: Sequence[tuple[float, float]],
               compress: bool = True) -> bytes:
    w = words
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=8, leading=10)
    period = report["period"]
    story: list[Any] = [
        Paragraph(f"{w['report_title']}: {report['center']['name']}", styles["Title"]),
        Paragraph(f"{w['period']}: {period['from']} – {period['to']} ({period['zone']}, "
                  f"{period['days']} d). {w['generated']}: {report['generated_at'][:16]} UTC",
                  small),
        Spacer(1, 0.3 * cm),
    ]
    sheets: dict[str, Sheet] = {sheet[0]: sheet for sheet in report_sheets(report, w, names)}
    summary = sheets[w["summary"]]
    story += [Paragraph(w["summary"], styles["Heading2"]), _table(summary[1], summary[2]),
              Paragraph(w["valid_rule"].format(seconds=report["valid_call_seconds"]), small),
              Paragraph(w["attribution_rule"], small),
              _chart(charts.calls_per_day(report, w)),
              _chart(charts.nuisance_share(report, w)), PageBreak(),
              Paragraph(w["service"], styles["Heading2"]),
              _chart(charts.service_by_hour(report, w))]
    for title in (f"{w['service']} - {w['hour_of_day']}", f"{w['service']} - {w['weekday']}"):
        sheet = sheets[title]
        story += [Paragraph(title, styles["Heading3"]), _table(sheet[1], sheet[2], small=True)]
    intervals = sheets[w["intervals"]]
    story += [PageBreak(), Paragraph(w["intervals"], styles["Heading2"]),
              _chart(charts.intervals(report, w)),
              _table(intervals[1], intervals[2], small=True), PageBreak(),
              Paragraph(w["emergencies_verified"], styles["Heading2"]),
              _chart(charts.incidents_by_type(report, w, names["type"])),
              _chart(charts.incident_map(points, places, w, names["type"]), width=WIDTH * 0.8)]
    for key in ("incidents_by_area", "calls_by_kind", "emergencies_by_type",
                "emergencies_by_agency", "emergencies_by_kecamatan", "repeat_callers"):
        sheet = sheets[w[key]]
        story += [Paragraph(sheet[0], styles["Heading3"]),
                  _table(sheet[1], sheet[2], small=True)]

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(1.5 * cm, 1 * cm, f"Siaga112 · {report['center']['name']} · "
                                            f"{w['page'].format(page=doc.page)}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=1.5 * cm, rightMargin=1.5 * cm,
                            topMargin=1.5 * cm, bottomMargin=1.8 * cm,
                            title=f"{w['report_title']} {period['from']} – {period['to']}",
                            author="Siaga112", invariant=1, pageCompression=1 if compress else 0)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()

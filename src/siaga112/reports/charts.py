"""The report's charts, drawn on the server with matplotlib (no browser library, no CDN).

Each function takes the report (report.py) and its words (already in the reader's
language, Indonesian first: entrypoints/web/report_words.py) and returns a Figure;
`png` turns one into bytes for the PDF and the console pages. Figures are built without
pyplot, so drawing is safe from the web server's threads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from matplotlib.figure import Figure

Words = Mapping[str, str]
COLOURS = {"valid": "#1b7f3b", "invalid": "#e0a100", "abandoned": "#c0392b",
           "screened": "#7f8c8d", "line": "#1f4e79", "target": "#555555"}
TYPE_COLOURS = ("#c0392b", "#e67e22", "#2e86c1", "#16a085", "#8e44ad", "#d35400", "#2c3e50",
                "#7f8c8d", "#27ae60", "#b03a2e", "#5d6d7e")
WIDE, TALL = (9.0, 3.4), (9.0, 4.2)


def png(figure: Figure, *, dpi: int = 110) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)  # laid out once, when drawn (constrained)
    return out.getvalue()


def _axes(size: tuple[float, float], title: str) -> tuple[Figure, Any]:
    figure = Figure(figsize=size, layout="constrained")
    ax = figure.subplots()
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    return figure, ax


def _day_labels(days: Sequence[str]) -> tuple[list[int], list[str]]:
    step = max(1, len(days) // 12)
    ticks = list(range(0, len(days), step))
    return ticks, [date.fromisoformat(days[i]).strftime("%d/%m") for i in ticks]


def calls_per_day(report: Mapping[str, Any], words: Words) -> Figure:
    daily = report["daily"]
    figure, ax = _axes(WIDE, words["chart_calls_per_day"])
    x = range(len(daily))
    bottom = [0] * len(daily)
    for key, colour, label in (("valid", "valid", "valid"), ("invalid", "invalid", "invalid"),
                               ("abandoned_in_queue", "abandoned", "abandoned_in_queue"),
                               ("screened_out", "screened", "screened_out")):
        values = [d[key] for d in daily]
        ax.bar(x, values, bottom=bottom, color=COLOURS[colour], label=words[label], width=0.8)
        bottom = [b + v for b, v in zip(bottom, values)]
    ticks, labels = _day_labels([d["date"] for d in daily])
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set_ylabel(words["calls"])
    ax.margins(y=0.2)  # room for the legend above the tallest day
    ax.legend(fontsize=8, frameon=False, ncols=4, loc="upper left")
    return figure


def service_by_hour(report: Mapping[str, Any], words: Words) -> Figure:
    service = report["service"]
    figure, ax = _axes(WIDE, words["chart_service_by_hour"])
    hours = [row["hour"] for row in service["by_hour"]]
    thresholds = [str(t) for t in service["thresholds_seconds"]]
    width = 0.8 / max(1, len(thresholds))
    for i, t in enumerate(thresholds):
        values = [(row["answered_within"][t] or 0) * 100 for row in service["by_hour"]]
        ax.bar([h - 0.4 + width * (i + 0.5) for h in hours], values, width=width,
               label=words["answered_within_n"].format(seconds=t),
               color=("#1f4e79", "#5dade2", "#a9cce3")[i % 3])
        target = service["targets"].get(t)
        if target is not None:
            ax.axhline(target * 100, color=COLOURS["target"], linewidth=0.8, linestyle="--")
    abandoned = [(row["abandonment_rate"] or 0) * 100 for row in service["by_hour"]]
    ax.plot(hours, abandoned, color=COLOURS["abandoned"], marker="o", markersize=3,
            label=words["abandonment_rate"])
    ax.set_xticks(hours, [f"{h:02d}" for h in hours], fontsize=8)
    ax.set_xlabel(words["hour_of_day"])
    ax.set_ylabel("%")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, frameon=False, ncols=3, loc="upper left")
    return figure


def nuisance_share(report: Mapping[str, Any], words: Words) -> Figure:
    daily = report["daily"]
    figure, ax = _axes(WIDE, words["chart_nuisance_share"])
    values = [(d["prank_silent_share"] or 0) * 100 for d in daily]
    ax.plot(range(len(daily)), values, color=COLOURS["invalid"], marker="o", markersize=3)
    ticks, labels = _day_labels([d["date"] for d in daily])
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set_ylabel(words["share_of_answered"])
    ax.set_ylim(0, 100)
    return figure


def incidents_by_type(report: Mapping[str, Any], words: Words,
                      type_names: Mapping[str, str]) -> Figure:
    by_type = report["incidents"]["by_type"]
    figure, ax = _axes(TALL, words["chart_incidents_by_type"])
    items = sorted(by_type.items(), key=lambda kv: kv[1])
    ax.barh([type_names.get(k, k) for k, _ in items], [n for _, n in items],
            color=COLOURS["line"])
    ax.set_xlabel(words["emergencies_verified"])
    if not items:
        ax.text(0.5, 0.5, words["nothing_in_period"], ha="center", va="center",
                transform=ax.transAxes)
    return figure


def incident_map(points: Sequence[Mapping[str, Any]], places: Sequence[tuple[float, float]],
                 words: Words, type_names: Mapping[str, str]) -> Figure:
    """The verified emergencies as points over the center's kelurahan (grey)."""
    figure, ax = _axes((7.0, 7.0), words["chart_incident_map"])
    if places:
        ax.scatter([lon for _, lon in places], [lat for lat, _ in places], s=12, c="#cccccc",
                   marker="s", label=words["kelurahan"])
    types = sorted({p["type"] for p in points})
    for i, code in enumerate(types):
        mine = [p for p in points if p["type"] == code]
        ax.scatter([p["lon"] for p in mine], [p["lat"] for p in mine], s=14,
                   c=TYPE_COLOURS[i % len(TYPE_COLOURS)], label=type_names.get(code, code),
                   alpha=0.8)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(words["longitude"])
    ax.set_ylabel(words["latitude"])
    if places or points:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    else:
        ax.text(0.5, 0.5, words["nothing_in_period"], ha="center", va="center",
                transform=ax.transAxes)
    return figure


def intervals(report: Mapping[str, Any], words: Words) -> Figure:
    overall = report["intervals"]["overall"]
    steps = report["intervals"]["steps"]
    figure, ax = _axes(TALL, words["chart_intervals"])
    y = range(len(steps))
    p50 = [(overall[s]["p50_seconds"] or 0) / 60 for s in steps]
    p90 = [(overall[s]["p90_seconds"] or 0) / 60 for s in steps]
    ax.barh([i + 0.2 for i in y], p50, height=0.4, color="#5dade2", label="p50")
    ax.barh([i - 0.2 for i in y], p90, height=0.4, color=COLOURS["line"], label="p90")
    ax.set_yticks(list(y), [words[f"step_{s}"] for s in steps], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(words["minutes"])
    ax.legend(fontsize=8, frameon=False)
    return figure


def answered_per_day(days: Sequence[Mapping[str, Any]], words: Words) -> Figure:
    """The public page's chart: calls and answered calls per day (public summary rows)."""
    figure, ax = _axes(WIDE, words["chart_calls_per_day"])
    x = range(len(days))
    ax.bar(x, [d["calls"] for d in days], color="#a9cce3", label=words["calls"], width=0.8)
    ax.bar(x, [d["answered"] for d in days], color=COLOURS["line"], label=words["answered"],
           width=0.5)
    ticks, labels = _day_labels([d["date"] for d in days])
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set_ylabel(words["calls"])
    ax.margins(y=0.2)
    ax.legend(fontsize=8, frameon=False, ncols=2, loc="upper left")
    return figure

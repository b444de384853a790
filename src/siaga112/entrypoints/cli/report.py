"""`siaga112 report`: the center's evaluation of a period, as a table or a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

BINARY = ("xlsx", "pdf")
FORMATS = ("table", "json", "csv", "xlsx", "pdf")
EXPORTS = ("evaluation", "monthly", "incidents")


def report(
    from_: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (center's zone)")],
    to: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD, inclusive")],
    format: Annotated[str, typer.Option("--format",
                                        help="table, json, csv, xlsx or pdf")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="write here (needed for xlsx, pdf)")
                   ] = None,
    export: Annotated[str, typer.Option(
        help="evaluation; monthly (calls by kind, emergencies by category, OPD, kecamatan); "
             "incidents (Surabaya's column layout)")] = "evaluation",
    lang: Annotated[str, typer.Option(help="language of the words: id or en")] = "id",
    refresh_rollups: Annotated[bool, typer.Option(
        "--refresh-rollups", help="only roll up the period's closed hours not rolled up "
        "yet (or changed since), so that the next report reads them; prints how many")
    ] = False,
) -> None:
    """The evaluation in the seed's terms: calls, abandoned, answered, valid, emergencies."""
    from siaga112.bootstrap import bootstrap
    from siaga112.domain.errors import InvalidValue
    from siaga112.entrypoints.web.report_words import words
    from siaga112.reports import documents
    from siaga112.reports.period import Period

    def fail(message: str) -> None:
        typer.echo(message, err=True)
        raise typer.Exit(2)

    if format not in FORMATS:
        fail(f"--format: '{format}' is not one of {', '.join(FORMATS)}")
    if export not in EXPORTS:
        fail(f"--export: '{export}' is not one of {', '.join(EXPORTS)}")
    if lang not in ("id", "en"):
        fail(f"--lang: '{lang}' is not id or en")
    if format in BINARY and out is None:
        fail(f"--format {format} writes a file: give it with --out FILE")
    siaga = bootstrap()
    try:
        period = Period.parse(from_, to, siaga.center.zone)
        if refresh_rollups:
            from siaga112.reports.report import refresh_rollups as refresh

            built = refresh(siaga.engine, siaga.center, period)
            typer.echo(f"rolled up {built} hours of {period.first_day} - {period.last_day}")
            return
        w = words(lang)
        if export == "evaluation" and format == "table":
            from siaga112.reports.report import build_report

            typer.echo(render_table(build_report(engine=siaga.engine, center=siaga.center,
                                                 period=period), w))
            return
        fmt = "csv" if format == "table" else format
        if export == "evaluation":
            doc = documents.evaluation_document(engine=siaga.engine, center=siaga.center,
                                                period=period, fmt=fmt, words=w, locale=lang)
        elif export == "monthly":
            doc = documents.monthly_document(engine=siaga.engine, center=siaga.center,
                                             period=period, fmt=fmt, words=w, locale=lang)
        else:
            doc = documents.incidents_document(engine=siaga.engine, center=siaga.center,
                                               period=period, fmt=fmt)
    except InvalidValue as exc:
        fail(str(exc))
        return
    finally:
        siaga.engine.dispose()
    if out is None:
        sys.stdout.write(doc.content.decode())
    else:
        out.write_bytes(doc.content)
        typer.echo(f"wrote {out} ({len(doc.content):,} bytes)", err=True)


def render_table(r: dict[str, Any], w: dict[str, str]) -> str:
    """The evaluation's key figures as aligned text, in the chosen language."""
    overall = r["service"]["overall"]

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value * 100:.1f}%"

    rows: list[tuple[str, Any]] = [
        (w["period"], f"{r['period']['from']} – {r['period']['to']} ({r['period']['zone']})"),
        (w["total_calls"], r["total_calls"]),
        (w["abandoned_in_queue"], r["abandoned_in_queue"]),
        (w["answered"], r["answered"]),
        (f"  {w['valid']}", r["valid"]),
        (f"  {w['invalid']}", r["invalid"]),
        (w["non_emergency"], r["non_emergency"]),
        (w["emergencies_verified"], r["emergencies_verified"]),
        (w["screened_out"], r["screened_out"]),
        (w["still_waiting"], r["still_waiting"]),
    ]
    rows += [(f"  {code}", n) for code, n in r["by_agency"].items()]
    rows += [(w["answered_within_n"].format(seconds=t), pct(share))
             for t, share in overall["answered_within"].items()]
    rows += [(w["abandonment_rate"], pct(overall["abandonment_rate"])),
             (w["mean_answer"], overall["mean_answer_seconds"] or "–"),
             (w["p90_answer"], overall["p90_answer_seconds"] or "–")]
    width = max(len(label) for label, _ in rows)
    lines = [f"{w['report_title']}: {r['center']['name']}"]
    lines += [f"{label:<{width}}  {value:>}" if isinstance(value, str)
              else f"{label:<{width}}  {value:>8,}" for label, value in rows]
    return "\n".join(lines)

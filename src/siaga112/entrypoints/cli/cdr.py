"""`siaga112 import-cdr`: take a PBX's call history into the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

FORMATS = ("asterisk", "csv")
SHOWN_PROBLEMS = 50


def import_cdr(
    file: Annotated[Path, typer.Argument(help="the CDR file (Asterisk Master.csv, or CSV)")],
    format: Annotated[str, typer.Option("--format", help="asterisk or csv (docs/reports.md)")
                      ] = "asterisk",
    timezone: Annotated[str | None, typer.Option(
        help="zone of times written without one; default: the center's")] = None,
) -> None:
    """Import call records; the same file twice adds nothing. Bad rows are listed by line.

    Exit status 0 when every row was good, 1 when some were bad (the good ones are stored),
    2 when the file cannot be read at all.
    """
    import sys
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from siaga112.adapters.cdr.asterisk import read_asterisk
    from siaga112.adapters.cdr.generic import read_generic
    from siaga112.adapters.db.history import SqlCallHistoryStore
    from siaga112.bootstrap import bootstrap
    from siaga112.services.history import import_history

    if format not in FORMATS:
        typer.echo(f"--format: '{format}' is not one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    try:
        lines = _count_lines(file)
    except OSError as exc:
        typer.echo(f"{file}: cannot read: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    siaga = bootstrap()
    try:
        zone = ZoneInfo(timezone) if timezone else siaga.center.zone
    except (ZoneInfoNotFoundError, ValueError):
        typer.echo(f"--timezone: unknown time zone '{timezone}'", err=True)
        raise typer.Exit(2) from None
    reader = read_asterisk if format == "asterisk" else read_generic
    with file.open(encoding="utf-8", errors="replace", newline="") as text, \
            typer.progressbar(length=lines, label=f"importing {file.name}",
                              file=sys.stderr) as bar:
        result = import_history(rows=reader(text, zone=zone),
                                store=SqlCallHistoryStore(siaga.engine),
                                source=f"{format}:{file.name}", clock=siaga.clock,
                                progress=bar.update)
    siaga.engine.dispose()
    for problem in result.problems[:SHOWN_PROBLEMS]:
        typer.echo(f"{file}: line {problem.line}: {problem.reason}", err=True)
    if len(result.problems) > SHOWN_PROBLEMS:
        typer.echo(f"... and {len(result.problems) - SHOWN_PROBLEMS} more bad rows", err=True)
    typer.echo(result.summary())
    if result.problems:
        raise typer.Exit(1)


def _count_lines(file: Path) -> int:
    with file.open("rb") as raw:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")) or 1

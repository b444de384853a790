"""`siaga112 purge` and `siaga112 export-caller`: personal data under UU 27/2022."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from siaga112.services import personal_data


def purge(dry_run: bool = typer.Option(False, help="count what would be purged, change nothing")
          ) -> None:
    """Apply the center's retention periods now (the server also does it daily)."""
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    report = siaga.purge_personal_data(dry_run=dry_run, actor="cli")
    typer.echo(json.dumps({"dry_run": dry_run, **report.as_dict()}))


def export_caller(number: str,
                  out: Path | None = typer.Option(None, help="write JSON here, else stdout"),
                  by: str = typer.Option(..., help="who asks (kept in the audit trail)")) -> None:
    """Everything stored about one caller's number (the caller's right of access)."""
    from siaga112.bootstrap import bootstrap

    siaga = bootstrap()
    data = personal_data.export_caller(siaga.uow(), number=number, by=by, clock=siaga.clock)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(data['calls'])} calls, {len(data['incidents'])} incidents to {out}")
